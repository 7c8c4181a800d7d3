// Runbooks. The example runbook in code-server against the local fleet server: diagnostics with a quick
// fix, hover, the run lens with output and exit code in a terminal, and a Guest fleet's observer-only block.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe } from 'node:test';
import { useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { clickCodeLens, codeLenses, editorLines, goTo, hoverAtCursor, openFile, squiggles } from './flows/editor';
import { fleetOf, fleetSession } from './flows/fleetSession';

const EXAMPLE = 'restart-api.runbook.md';

function runbookFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'cmdop-runbooks-'));
  copyFileSync(resolve(__dirname, '../../examples', EXAMPLE), join(folder, EXAMPLE));
  // No fleet line: checked against the active fleet (the status bar's), so a fleet switch changes the verdict.
  writeFileSync(join(folder, 'active-fleet.runbook.md'), ['# Uses the active fleet', '```sh @web-1', 'uptime', '```', ''].join('\n'));
  writeFileSync(
    join(folder, 'guest.runbook.md'),
    ['---', 'fleet: partner-lab', '---', '# Lab', '```sh @lab-1', 'uptime', '```', ''].join('\n'),
  );
  return folder;
}

describe('runbooks: the language server in VS Code', () => {
  const ui = useWorkbench(() => fleetSession('runbooks', { folder: runbookFolder() }));

  ui.test('the language server is not started before a runbook opens', async (wb, session) => {
    await wb.statusBar.waitForText('cmdop.status', 'CMDOP: Sign in', 60_000);
    await signInThroughUi(session, fleetOf(session).issuer);
    await wb.statusBar.waitForText('cmdop.status', /OAuth$/, 30_000);
    assert.match(session.extensionLog(), /Activated in/);
    assert.doesNotMatch(session.extensionLog(), /Runbook language server/);
  });

  ui.test('the example runbook: ▶ Run on web-1 runs the block as typed and shows its output and exit code', async (wb, session) => {
    await openFile(session, EXAMPLE);
    await waitFor(
      'the runbook language server to start',
      async () => (/Runbook language server started/.test(session.extensionLog()) ? true : undefined),
      { timeoutMs: 60_000 },
    );
    const lenses = await waitFor(
      'code lenses on the shell blocks',
      async () => {
        const titles = await codeLenses(session);
        return titles.includes('▶ Run on web-1') ? titles : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.ok(lenses.includes('Run on…'), JSON.stringify(lenses));
    assert.ok(lenses.includes('▶ Run on web-1, db-1'), JSON.stringify(lenses));
    assert.equal(await squiggles(session, 'error'), 0, 'the example has no errors');
    await clickCodeLens(session, '▶ Run on web-1', 17);
    await wb.terminal.waitForName('CMDOP: web-1', 20_000);
    const text = await wb.terminal.waitForText(/exit code 0/, 30_000);
    // $((6 * 7)) reached the machine's shell literally and was evaluated there.
    assert.match(text, /^API healthy: 42 workers$/m);
    assert.match(text, /^Linux$/m);
    assert.match(text, /\[web-1: exit code 0\]/);
  });

  ui.test(
    "▶ Run on web-1, db-1 (the front matter's targets) goes to the fan-out: the Runs view shows the block on both",
    async (wb, session) => {
      await openFile(session, EXAMPLE);
      await clickCodeLens(session, '▶ Run on web-1, db-1', 26);
      // The fan-out reveals its Runs view itself (clicking the CMDOP icon now could toggle the side bar shut).
      await waitFor(
        'the Runs view to be revealed',
        async () => ((await wb.views.sideBarTitle()).toLowerCase().startsWith('cmdop') ? true : undefined),
        { timeoutMs: 30_000 },
      );
      const run = await waitFor(
        "the block's run to finish in the Runs view",
        async () => {
          const item = await wb.views.waitForTreeItem('Runs', 'df -h / | tail -n 1', 5_000).catch(() => undefined);
          return item && /✓ 2 ✗ 0/.test(item.description) ? item : undefined;
        },
        { timeoutMs: 60_000 },
      );
      assert.match(run.description, / · Acme Production · /);
    },
  );

  ui.test('hover on web-1 shows it online, with OS and role', async (_wb, session) => {
    await openFile(session, EXAMPLE);
    await goTo(session, 17, 9);
    const hover = await hoverAtCursor(session, /web-1/);
    assert.match(hover, /online/);
    assert.match(hover, /OS: linux/);
    assert.match(hover, /your role: Owner/);
  });

  ui.test(
    'an unknown hostname gets a squiggle, its message names the closest machine, and the quick fix replaces it',
    async (wb, session) => {
      await openFile(session, EXAMPLE);
      await goTo(session, 42, 15); // end of "```sh @batch-1"
      await session.page.keyboard.type(' @dbb-1');
      await waitFor('an error squiggle', async () => ((await squiggles(session, 'error')) > 0 ? true : undefined), { timeoutMs: 30_000 });
      await goTo(session, 42, 18);
      const hover = await hoverAtCursor(session, /Unknown machine "dbb-1"/);
      assert.match(hover, /Did you mean "db-1"\?/);
      await session.page.keyboard.press('Escape');
      await wb.runCommand('Quick Fix...', { id: 'editor.action.quickFix' });
      // The Quick Fix menu lists the fix, focused (it is the preferred one): accept it as a person would, with Enter.
      await session.page.locator('.action-widget', { hasText: 'Replace with "db-1"' }).first().waitFor({ timeout: 20_000 });
      await session.page.keyboard.press('Enter');
      const line = await waitFor('the fixed line', async () => (await editorLines(session)).find((l) => l.includes('@batch-1 @db-1')), {
        timeoutMs: 20_000,
      });
      assert.equal(line, '```sh @batch-1 @db-1');
      await waitFor('the squiggle to go', async () => ((await squiggles(session, 'error')) === 0 ? true : undefined), {
        timeoutMs: 30_000,
      });
    },
  );

  ui.test("a Guest fleet's block shows the observer-only error and has no run lens", async (_wb, session) => {
    await openFile(session, 'guest.runbook.md');
    await waitFor('observer-only squiggles', async () => ((await squiggles(session, 'error')) >= 2 ? true : undefined), {
      timeoutMs: 30_000,
    });
    await goTo(session, 5, 2);
    const hover = await hoverAtCursor(session, /observer-only/);
    assert.match(hover, /You are a Guest in fleet "Partner Lab"/);
    assert.deepEqual(await codeLenses(session), []);
  });

  ui.test('presence reaches the server: web-1 going offline turns into a warning, and back', async (_wb, session) => {
    await openFile(session, 'active-fleet.runbook.md');
    await waitFor('the run lens', async () => ((await codeLenses(session)).includes('▶ Run on web-1') ? true : undefined), {
      timeoutMs: 30_000,
    });
    assert.equal(await squiggles(session, 'warning'), 0);
    await fleetOf(session).stopMachine('acme-prod', 'web-1');
    try {
      // The extension re-reads the named machines' presence every 15 s while a runbook is open.
      await waitFor('an offline warning', async () => ((await squiggles(session, 'warning')) > 0 ? true : undefined), {
        timeoutMs: 60_000,
      });
      await goTo(session, 2, 9);
      assert.match(await hoverAtCursor(session, /offline/), /web-1/);
      await session.page.keyboard.press('Escape');
    } finally {
      await fleetOf(session).startMachine('acme-prod', 'web-1');
    }
    await waitFor('the warning to go', async () => ((await squiggles(session, 'warning')) === 0 ? true : undefined), { timeoutMs: 60_000 });
  });

  ui.test(
    'a fleet switch reaches the server: the same runbook in the Guest fleet is observer-only, without run lens',
    async (wb, session) => {
      await openFile(session, 'active-fleet.runbook.md');
      await wb.runCommand('CMDOP: Switch Fleet');
      await wb.quickInput.pick(/Partner Lab/);
      await wb.statusBar.waitForText('cmdop.status', /^Partner Lab/, 15_000);
      await waitFor('observer-only errors', async () => ((await squiggles(session, 'error')) > 0 ? true : undefined), {
        timeoutMs: 30_000,
      });
      await waitFor('the run lens to go', async () => ((await codeLenses(session)).length === 0 ? true : undefined), { timeoutMs: 30_000 });
      await goTo(session, 2, 2);
      assert.match(await hoverAtCursor(session, /observer-only/), /Guest in fleet "Partner Lab"/);
    },
  );
});
