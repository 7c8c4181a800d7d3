// Takes the README's screenshots: the packaged extension in code-server against the local fleet server, driven
// through Chromium by the e2e harness, as a person would use it. Writes media/screenshots/*.png.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeCenter, waitForNotice } from '../../test/e2e/flows/notices';
import { approveInBrowser } from '../../test/e2e/flows/deviceSignIn';
import { codeLenses, goTo, hoverAtCursor, openFile } from '../../test/e2e/flows/editor';
import { fleetOf, fleetSession } from '../../test/e2e/flows/fleetSession';
import { treeContextAction } from '../../test/e2e/flows/contextMenu';
import { repoRoot, type Session, startSession, waitFor } from '../../test/e2e/harness';

const OUT = join(repoRoot, 'media', 'screenshots');
const VIEWPORT = { width: 1280, height: 800 };
const RUNBOOK = 'restart-api.runbook.md';
// batch-1 is offline: the run lists it as skipped.
const FAN_OUT_MACHINES = ['batch-1', 'db-1', 'db-2', 'web-1', 'web-2', 'web-3'];
const FAN_OUT_COMMAND = 'uname -sr';

/** The seeded fleets, with a few more machines in Acme Production so the tree and a fan-out look like a fleet. */
function screenshotSeed(folder: string): string {
  const seed = JSON.parse(readFileSync(join(repoRoot, 'fleet-server', 'seed.json'), 'utf8')) as {
    fleets: { id: string; machines: { hostname: string; name: string; os: string; online: boolean }[] }[];
  };
  const prod = seed.fleets.find((fleet) => fleet.id === 'acme-prod');
  if (!prod) throw new Error('fleet-server/seed.json has no acme-prod fleet');
  for (const hostname of ['web-2', 'web-3', 'db-2']) prod.machines.push({ hostname, name: hostname, os: 'linux', online: true });
  prod.machines.sort((a, b) => a.hostname.localeCompare(b.hostname));
  const file = join(folder, 'seed.json');
  writeFileSync(file, JSON.stringify(seed, null, 2));
  return file;
}

async function shoot(session: Session, name: string): Promise<void> {
  // Let the workbench finish the frame it is drawing (hover fades, list re-renders) before the picture.
  await session.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const file = join(OUT, `${name}.png`);
  await session.page.screenshot({ path: file, timeout: 15_000 });
  console.log(`wrote ${file}`);
}

/** Drags the side bar's edge to the right, so tree rows show their descriptions whole. */
async function widenSideBar(session: Session, by: number): Promise<void> {
  const box = await session.page.locator('.part.sidebar').boundingBox();
  if (!box) throw new Error('the side bar is not visible');
  const x = box.x + box.width + 2;
  const y = box.y + box.height / 2;
  await session.page.mouse.move(x, y);
  await session.page.mouse.down();
  await session.page.mouse.move(x + by, y, { steps: 5 });
  await session.page.mouse.up();
}

/** Collapses a view of the side bar (a click on its header), to give the others room. */
async function collapseView(session: Session, view: string): Promise<void> {
  // A tree item's hover can lie over the header: move the pointer away and close it first.
  await session.page.mouse.move(900, 400);
  await session.page.keyboard.press('Escape');
  const header = session.wb.views.pane(view).locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** Sign In from the Machines view's welcome: the code notification, then the approval on the identity provider. */
async function signIn(session: Session): Promise<void> {
  const { wb } = session;
  await wb.views.openContainer('CMDOP');
  await wb.statusBar.waitForText('cmdop.status', 'CMDOP: Sign in', 60_000);
  await wb.runCommand('CMDOP: Sign In');
  const consent = await wb.dialogs.waitOpen(10_000).catch(() => undefined);
  if (consent?.buttons.includes('Allow')) await wb.dialogs.clickButton('Allow');
  const notice = await waitForNotice(session, /CMDOP sign-in code: ([A-Z0-9-]+)/, 30_000);
  await shoot(session, 'sign-in');
  await closeCenter(session);
  const code = /CMDOP sign-in code: ([A-Z0-9-]+)/.exec(notice.message)![1];
  const page = await approveInBrowser(session, fleetOf(session).issuer, code);
  await page.close();
  await wb.statusBar.waitForText('cmdop.status', /Acme Production · OAuth$/, 30_000);
}

async function machinesTree(session: Session): Promise<void> {
  const { wb } = session;
  await widenSideBar(session, 120);
  await wb.views.expandTreeItem('Machines', 'Acme Production');
  await wb.views.waitForTreeItem('Machines', 'web-3');
  await wb.views.expandTreeItem('Machines', 'Acme Staging');
  await wb.views.waitForTreeItem('Machines', 'Build Mac');
  await shoot(session, 'machines');
}

async function shell(session: Session): Promise<void> {
  const { wb } = session;
  await treeContextAction(session, 'Machines', 'web-1', 'Open Shell');
  await wb.terminal.waitForName('CMDOP: web-1', 20_000);
  await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
  await wb.terminal.sendLine('uname -sr && uptime');
  await wb.terminal.waitForText(/load average/, 20_000);
  await wb.terminal.sendLine('df -h / | tail -n 1');
  await wb.terminal.waitForText(/%\s+\/\s*$/m, 20_000);
  await shoot(session, 'terminal');
  await wb.runCommand('View: Toggle Panel Visibility', { id: 'workbench.action.togglePanel' });
}

/** Several machines selected with Ctrl-click, Run Command… on them, and the run's rows in the Runs view. */
async function fanOut(session: Session): Promise<void> {
  const { wb, page } = session;
  const staging = await wb.views.waitForTreeItem('Machines', 'Acme Staging');
  if (staging.expanded) await wb.views.treeRow('Machines', 'Acme Staging').locator('.monaco-tl-twistie').click();
  for (const [i, hostname] of FAN_OUT_MACHINES.entries()) {
    await wb.views.treeRow('Machines', hostname).click({ modifiers: i === 0 ? [] : ['ControlOrMeta'] });
  }
  await wb.views.treeRow('Machines', FAN_OUT_MACHINES.at(-1)!).click({ button: 'right' });
  const entry = page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label', { hasText: 'Run Command…' }).first();
  await entry.waitFor({ state: 'visible', timeout: 10_000 });
  await entry.hover();
  await page.keyboard.press('Enter');
  await wb.quickInput.waitOpen();
  await wb.quickInput.type(FAN_OUT_COMMAND);
  await wb.quickInput.submit();
  await waitFor(
    'the run to finish',
    async () => {
      const run = (await wb.views.treeItems('Runs')).find((item) => item.level === 1 && item.label === FAN_OUT_COMMAND);
      return run && /^✓ 5 /.test(run.description) ? run : undefined;
    },
    { timeoutMs: 60_000 },
  );
  await collapseView(session, 'Sessions');
  await wb.views.clickTreeItem('Runs', /5 machines printed the same/);
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: 10_000 });
  await shoot(session, 'runs');
  await wb.runCommand('View: Close All Editors', { id: 'workbench.action.closeAllEditors' });
}

async function runbook(session: Session): Promise<void> {
  await openFile(session, RUNBOOK);
  await waitFor('the run lenses', async () => ((await codeLenses(session)).includes('▶ Run on web-1') ? true : undefined), {
    timeoutMs: 60_000,
  });
  // The last block targets batch-1, which is offline: its warning and hover are the picture's point.
  await goTo(session, 42, 10);
  await waitFor(
    'the offline warning on batch-1',
    async () => ((await session.page.locator('.squiggly-warning').count()) > 0 ? true : undefined),
    {
      timeoutMs: 30_000,
    },
  );
  await hoverAtCursor(session, /offline/);
  await shoot(session, 'runbook');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'cmdop-screenshots-'));
  const folder = join(scratch, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(repoRoot, 'examples', RUNBOOK), join(folder, RUNBOOK));
  const session = await startSession({
    ...fleetSession('screenshots', { folder }),
    fleet: { seedPath: screenshotSeed(scratch) },
    viewport: VIEWPORT,
  });
  try {
    await signIn(session);
    await machinesTree(session);
    await shell(session);
    await fanOut(session);
    await runbook(session);
  } catch (error) {
    const files = await session.captureFailure('screenshots').catch(() => []);
    if (files.length) console.error(`screenshots: workbench state saved to ${files.join(', ')}`);
    throw error;
  } finally {
    await session.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
