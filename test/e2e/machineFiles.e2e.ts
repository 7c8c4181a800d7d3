// Files on a machine in VS Code's own explorer and editor, against the local fleet server's file RPCs: each
// stand-in machine's home folder, edited in the editor and seen from a real shell on the same machine.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { repoRoot, type Session, useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { treeContextAction } from './flows/contextMenu';
import { editorLines, goTo } from './flows/editor';
import { fleetOf, fleetSession } from './flows/fleetSession';

const VIEW = 'Machines';
const EXPLORER_ROWS = '.explorer-folders-view .monaco-list-row';

async function explorerNames(session: Session): Promise<string[]> {
  return session.page.locator(`${EXPLORER_ROWS} .label-name`).allInnerTexts();
}

async function waitForExplorerItem(session: Session, name: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${name} in the explorer`,
    async () => {
      const names = await explorerNames(session);
      if (names.includes(name)) return true;
      throw new Error(`explorer shows ${JSON.stringify(names)}`);
    },
    { timeoutMs },
  );
}

function explorerRow(session: Session, name: string) {
  const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return session.page
    .locator(EXPLORER_ROWS)
    .filter({ has: session.page.locator('.label-name', { hasText: exact }) })
    .first();
}

describe('files on a machine: explorer, editor and a shell on the same machine', () => {
  const ui = useWorkbench(() => fleetSession('machine-files', { viewport: { width: 1280, height: 800 } }));

  ui.test("Open Folder on Machine… shows web-1's home in the explorer", async (wb, session) => {
    await wb.views.openContainer('CMDOP');
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.statusBar.waitForText('cmdop.status', /OAuth$/, 30_000);
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await treeContextAction(session, VIEW, 'web-1', 'Open Folder on Machine…');
    const home = fleetOf(session).homeOf('acme-prod', 'web-1');
    await waitFor('the home proposed', async () => ((await wb.quickInput.value()) === home ? true : undefined));
    await wb.quickInput.submit();
    // The window reopens on the machine folder.
    await waitFor('the window to open the machine folder', async () => ((await wb.title()).includes('web-1') ? true : undefined), {
      timeoutMs: 60_000,
    });
    await wb.waitReady();
    for (const name of ['etc', 'log', 'data', 'current.log']) await waitForExplorerItem(session, name, 60_000);
  });

  ui.test('edit and save ~/etc/app.conf; cat in a shell on web-1 shows the change', async (wb, session) => {
    const home = fleetOf(session).homeOf('acme-prod', 'web-1');
    await explorerRow(session, 'etc').click();
    await waitForExplorerItem(session, 'app.conf');
    await explorerRow(session, 'app.conf').dblclick();
    await waitFor('app.conf in the editor', async () => ((await wb.title()).includes('app.conf') ? true : undefined));
    await session.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 20_000 });
    await goTo(session, 3);
    await wb.press('End');
    await session.page.keyboard.type(' # saved-from-vscode');
    await wb.press('Control+S');
    await waitFor(
      'the save to reach the machine',
      async () => (/role = web # saved-from-vscode/.test(readFileSync(join(home, 'etc/app.conf'), 'utf8')) ? true : undefined),
      { timeoutMs: 20_000 },
    );
    await wb.screenshot(join(repoRoot, 'media/screenshots/machine-files.png'));
    await wb.views.openContainer('CMDOP');
    // The window reopened on the machine folder: the tree starts collapsed again.
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await treeContextAction(session, VIEW, 'web-1', 'Open Shell');
    await wb.terminal.waitForName('CMDOP: web-1', 20_000);
    await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
    await wb.terminal.sendLine('cat ~/etc/app.conf | grep role');
    await wb.terminal.waitForText(/^role = web # saved-from-vscode$/m, 20_000);
  });

  ui.test('a file created from the shell appears in the explorer within 5 s with no click', async (wb, session) => {
    await wb.terminal.sendLine('echo made-in-shell > ~/from-shell.txt && echo created-$((6*7))');
    await wb.terminal.waitForText(/^created-42$/m, 20_000);
    await wb.views.openContainer('Explorer');
    await waitForExplorerItem(session, 'from-shell.txt', 5_000);
  });

  ui.test('Find in Folder on Machine…: a hit opens the file at its line', async (wb, session) => {
    await wb.runCommand('CMDOP: Find in Folder on Machine…');
    await wb.quickInput.answer('listen = ');
    await wb.quickInput.answer('*.conf');
    await wb.quickInput.pick(/^app\.conf:4/, 20_000);
    const selection = session.page.locator('.statusbar-item[id="status.editor.selection"]');
    await waitFor('the cursor at line 4', async () => (/Ln 4, Col \d+/.test(await selection.innerText()) ? true : undefined), {
      timeoutMs: 20_000,
    });
    assert.match(await wb.title(), /app\.conf/);
  });

  ui.test('Compare File Across Machines… on web-1 and db-1 shows both and the diff', async (wb, session) => {
    // The active editor is web-1's app.conf (from the search above): the path compared is ~/etc/app.conf.
    await wb.runCommand('CMDOP: Compare File Across Machines…');
    await wb.quickInput.answer('web-1, db-1');
    await wb.views.waitForTreeItem('Runs', 'Compare ~/etc/app.conf', 60_000);
    const tab = session.page.locator('.editor-group-container.active .tab.active');
    await waitFor('the diff editor', async () => (/app\.conf: .+ ↔ .+/.test(await tab.innerText()) ? true : undefined), {
      timeoutMs: 30_000,
    });
    const diff = session.page.locator('.editor-group-container.active .monaco-diff-editor');
    await diff.waitFor({ state: 'visible', timeout: 10_000 });
    await waitFor('web-1 and db-1 in the two sides', async () => {
      // Monaco draws spaces as no-break spaces.
      const sides = (await diff.locator('.view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
      return /role = web/.test(sides) && /role = database/.test(sides) ? true : undefined;
    });
    const groups = (await wb.views.treeItems('Runs')).map((i) => i.label);
    assert.ok(groups.filter((l) => /have the same app\.conf|^(web-1|db-1)$/.test(l)).length >= 2, JSON.stringify(groups));
    await wb.screenshot(join(repoRoot, 'media/screenshots/machine-files-compare.png'));
  });

  ui.test('a stopped machine gives a clear error; started again, its folder works with no reload', async (wb, session) => {
    const fleet = fleetOf(session);
    await wb.views.openContainer('Explorer');
    await fleet.stopMachine('acme-prod', 'web-1');
    await explorerRow(session, 'README.txt').click();
    // VS Code says why it could not open the file: the relay's own words, naming the machine.
    const dialog = await wb.dialogs.waitOpen();
    assert.match(`${dialog.message} ${dialog.detail}`, /Unavailable.*machine web-1 in fleet acme-prod is offline/s);
    // Each attempt to open it asked once: close them all.
    await waitFor('the error dialogs closed', async () => {
      if (!(await wb.dialogs.isOpen())) return true;
      await wb.press('Escape');
      return undefined;
    });
    await fleet.startMachine('acme-prod', 'web-1');
    await explorerRow(session, 'timezone').click();
    await waitFor(
      'a file of web-1 read again',
      async () => ((await editorLines(session)).some((l) => l.includes('Etc/UTC')) ? true : undefined),
      { timeoutMs: 30_000 },
    );
  });

  ui.test("a file copied in web-1's folder and pasted into db-1's lands on db-1", async (wb, session) => {
    const fleet = fleetOf(session);
    const dbHome = fleet.homeOf('acme-prod', 'db-1');
    await wb.views.openContainer('CMDOP');
    await wb.views.expandTreeItem(VIEW, 'Acme Production');
    await treeContextAction(session, VIEW, 'db-1', 'Add Machine Folder to Workspace…');
    await waitFor("db-1's home proposed", async () => ((await wb.quickInput.value()) === dbHome ? true : undefined));
    await wb.quickInput.submit();
    // The window becomes a workspace of two machine folders.
    await wb.views.openContainer('Explorer');
    const dbRoot = `db-1: ${dbHome}`;
    await waitForExplorerItem(session, dbRoot, 60_000);
    await waitForExplorerItem(session, 'from-shell.txt', 30_000);
    await explorerRow(session, 'from-shell.txt').click();
    await wb.press('Control+C');
    await explorerRow(session, dbRoot).click();
    await wb.press('Control+V');
    await waitFor(
      'from-shell.txt on db-1',
      async () =>
        existsSync(join(dbHome, 'from-shell.txt')) && readFileSync(join(dbHome, 'from-shell.txt'), 'utf8') === 'made-in-shell\n'
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    );
  });

  ui.test("a Guest's editor is read-only and says why", async (wb, session) => {
    const labHome = fleetOf(session).homeOf('partner-lab', 'lab-1');
    await wb.views.openContainer('CMDOP');
    await wb.views.expandTreeItem(VIEW, 'Partner Lab');
    await treeContextAction(session, VIEW, 'lab-1', 'Open File on Machine…');
    await wb.quickInput.answer(`${labHome}/etc/app.conf`);
    await waitFor(
      'lab-1 app.conf in the editor',
      async () => ((await editorLines(session)).some((l) => l.includes('Application settings of lab-1')) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    await session.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await session.page.keyboard.type('guest-was-here');
    await waitFor('the read-only message', async () => {
      const text = await session.page.locator('.monaco-editor-overlaymessage').allInnerTexts();
      return text.some((t) => /read-only|cannot edit/i.test(t)) ? text : undefined;
    });
    assert.ok(!(await editorLines(session)).some((l) => l.includes('guest-was-here')));
    assert.doesNotMatch(readFileSync(join(labHome, 'etc/app.conf'), 'utf8'), /guest-was-here/);
  });
});
