// One command on many machines — multi-select Run Command…, Run on Fleet… with a glob, the Runs
// view (exit codes, failures first, grouped outputs, output documents), Cancel closing every session on the
// server, and a Guest refused before anything is sent (from the Command Palette and from the chat agent's tool).
// Against the local fleet server's real PTYs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { defaultVsix, type Session, useWorkbench, waitFor } from './harness';
import { treeContextAction } from './flows/contextMenu';
import { signInThroughUi } from './flows/deviceSignIn';
import { clickNoticeButton, closeCenter, waitForNotice } from './flows/notices';
import { fleetOf, fleetSession } from './flows/fleetSession';
import { OtherExtension } from './flows/otherExtension';

const MACHINES = 'Machines';
const RUNS = 'Runs';

/** Selects several machines with Ctrl-click and runs a command on them from the context menu. */
async function runOnSelected(session: Session, hostnames: string[], command: string): Promise<void> {
  const { wb, page } = session;
  await wb.views.openContainer('CMDOP');
  await wb.views.expandTreeItem(MACHINES, 'Acme Production');
  for (const [i, hostname] of hostnames.entries()) {
    await wb.views.waitForTreeItem(MACHINES, hostname);
    await wb.views.treeRow(MACHINES, hostname).click({ modifiers: i === 0 ? [] : ['ControlOrMeta'] });
  }
  await waitFor('the machines to be selected', async () => {
    const items = await wb.views.treeItems(MACHINES);
    return hostnames.every((h) => items.find((i) => i.label === h)?.selected) || undefined;
  });
  await wb.views.treeRow(MACHINES, hostnames.at(-1)!).click({ button: 'right' });
  const entry = page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label', { hasText: 'Run Command…' }).first();
  await entry.waitFor({ state: 'visible', timeout: 10_000 });
  await entry.hover();
  await page.keyboard.press('Enter');
  await wb.quickInput.waitOpen();
  assert.match(await wb.quickInput.title(), new RegExp(`Run Command on ${hostnames.length} machines in Acme Production`));
  await wb.quickInput.type(command);
  await wb.quickInput.submit();
}

/** The rows under the newest run, as label → description, once `expected` rows are there. */
async function runRows(
  session: Session,
  command: string,
  expected: number,
): Promise<{ label: string; description: string; level: number }[]> {
  return waitFor(
    `${expected} rows under the run of ${command}`,
    async () => {
      const items = await session.wb.views.treeItems(RUNS);
      const start = items.findIndex((i) => i.level === 1 && i.label === command);
      if (start === -1) return undefined;
      const rows: { label: string; description: string; level: number }[] = [];
      for (const item of items.slice(start + 1)) {
        if (item.level === 1) break;
        rows.push(item);
      }
      return rows.length >= expected && !rows.some((r) => /running|waiting/.test(r.label)) ? rows : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

async function editorText(session: Session): Promise<string> {
  const lines = session.page.locator('.editor-group-container.active .monaco-editor .view-lines');
  await lines.first().waitFor({ state: 'visible', timeout: 10_000 });
  return lines.first().innerText();
}

describe('fan-out: one command on many machines', () => {
  // Above two machines a modal asks first; the tests before the last ones run on at most two.
  // A second extension beside ours invokes the chat agent's tools, as a chat agent would.
  const scratch = mkdtempSync(join(tmpdir(), 'cmdop-fan-out-'));
  const other = new OtherExtension(scratch);
  const ui = useWorkbench(() =>
    fleetSession('fan-out', {
      settings: { 'cmdop.fanOut.confirmAbove': 2 },
      vsix: [defaultVsix, other.vsix()],
      env: other.env(),
    }),
  );
  after(() => rmSync(scratch, { recursive: true, force: true }));

  ui.test(
    'select web-1 and db-1, run a command: one row per machine with its exit code, failures first; a click opens the output',
    async (wb, session) => {
      await wb.views.openContainer('CMDOP');
      await signInThroughUi(session, fleetOf(session).issuer);
      await wb.statusBar.waitForText('cmdop.status', /OAuth$/, 30_000);
      const command = 'echo $HOSTNAME; test "$HOSTNAME" = web-1';
      await runOnSelected(session, ['web-1', 'db-1'], command);
      await wb.views.waitForTreeItem(RUNS, command, 60_000);
      const rows = await runRows(session, command, 2);
      assert.deepEqual(
        rows.map((r) => r.label),
        ['db-1', 'web-1'],
        'the failure comes first',
      );
      assert.match(rows[0].description, /^exit 1 · /);
      assert.match(rows[1].description, /^exit 0 · /);
      const run = await waitFor('the run summary', async () => {
        const item = await wb.views.waitForTreeItem(RUNS, command);
        return item.description.startsWith('✓ 1 ✗ 1 · ') ? item : undefined;
      });
      assert.match(run.description, /^✓ 1 ✗ 1 · Acme Production · \d/);

      await wb.views.clickTreeItem(RUNS, 'db-1');
      await waitFor('db-1 output in an editor', async () => ((await editorText(session)).includes('db-1') ? true : undefined));
      const tab = session.page.locator('.editor-group-container.active .tab.active');
      assert.match((await tab.innerText()).replace(/\s+/g, ''), /db-1\.log/);
      // Read-only: typing changes nothing.
      await session.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await session.page.keyboard.type('zzz');
      assert.doesNotMatch(await editorText(session), /zzz/);
    },
  );

  ui.test('Rerun Failed on that run runs again on db-1 only, as a new run at the top', async (wb, session) => {
    const command = 'echo $HOSTNAME; test "$HOSTNAME" = web-1';
    await wb.views.clickTreeItemAction(RUNS, command, 'Rerun Failed');
    await waitFor('a second run of the command', async () =>
      (await wb.views.treeItems(RUNS)).filter((i) => i.level === 1 && i.label === command).length === 2 ? true : undefined,
    );
    const rows = await runRows(session, command, 1);
    assert.equal(rows[0].label, 'db-1');
    assert.match(rows[0].description, /^exit 1 · /);
    assert.equal(rows.length, 1, 'only the failed machine ran again');
  });

  ui.test('identical outputs are grouped: uname -s on both machines is one "2 machines printed the same" row', async (wb, session) => {
    await runOnSelected(session, ['web-1', 'db-1'], 'uname -s');
    const rows = await runRows(session, 'uname -s', 1);
    assert.equal(rows[0].label, '2 machines printed the same');
    assert.equal(rows[0].description, 'Linux');
    await wb.views.clickTreeItem(RUNS, '2 machines printed the same');
    await waitFor('the shared output in an editor', async () => ((await editorText(session)).trim() === 'Linux' ? true : undefined));
  });

  ui.test(
    'Run on Fleet… with a glob runs on the matching online machines and lists matching offline ones as skipped',
    async (wb, session) => {
      await wb.runCommand('CMDOP: Run on Fleet…');
      await wb.quickInput.pick('Acme Production');
      await wb.quickInput.waitOpen();
      await wb.quickInput.answer('web-*, batch-*');
      await wb.quickInput.waitOpen();
      // The next step's title replaces the pattern step's once the fleet's machines are matched.
      const title = await waitFor('the command step of Run on Fleet…', async () => {
        const now = await wb.quickInput.title();
        return /^Run on \d+ online machine/.test(now) ? now : undefined;
      });
      assert.match(title, /Run on 1 online machine in Acme Production matching web-\*, batch-\*/);
      await wb.quickInput.type('echo fleet-$HOSTNAME');
      await wb.quickInput.submit();
      const rows = await runRows(session, 'echo fleet-$HOSTNAME', 2);
      // Not run on db-1 (no match); batch-1 matched but is offline: listed, before the successes.
      assert.deepEqual(
        rows.map((r) => [r.label, r.description.replace(/ · .*/, '')]),
        [
          ['batch-1', 'skipped: offline'],
          ['web-1', 'exit 0'],
        ],
      );
    },
  );

  ui.test('Cancel on the progress notification closes every session of a sleep 30 run on the server', async (wb, session) => {
    const fleet = fleetOf(session);
    const sleeping = () => fleet.sessions('acme-prod').filter((s) => s.command === 'sleep 30');
    await runOnSelected(session, ['web-1', 'db-1'], 'sleep 30');
    await waitFor('both sleep 30 sessions running on the server', () =>
      sleeping().filter((s) => s.state === 'running').length === 2 ? true : undefined,
    );
    await clickNoticeButton(session, /sleep 30/, 'Cancel');
    const ended = await waitFor(
      'every sleep 30 session ended on the server',
      () => {
        const all = sleeping();
        return all.length === 2 && all.every((s) => s.state === 'ended') ? all : undefined;
      },
      { timeoutMs: 20_000 },
    );
    assert.deepEqual(
      ended.map((s) => s.end?.reason),
      ['closed', 'closed'],
    );
    await closeCenter(session);
    const rows = await runRows(session, 'sleep 30', 2);
    for (const row of rows) assert.match(row.description, /^cancelled/);
    assert.match((await wb.views.waitForTreeItem(RUNS, 'sleep 30')).description, /^✓ 0 ✗ 0 ⊘ 2 · /);
  });

  ui.test(
    'above cmdop.fanOut.confirmAbove a modal asks first and Cancel sends nothing; an outlier compares with the majority; the run copies as JSON and Markdown',
    async (wb, session) => {
      const fleet = fleetOf(session);
      const command = 'if [ "$HOSTNAME" = db-1 ]; then echo odd; else echo same; fi';
      const ranIt = () => fleet.sessions('acme-prod').filter((s) => s.command === command).length;
      // Only this test's run in the (small) Runs view, so none of its rows is scrolled out of sight.
      await wb.views.clickViewTitleAction(RUNS, 'Clear Finished Runs');
      await waitFor('the Runs view to be empty', async () => ((await wb.views.treeItems(RUNS)).length === 0 ? true : undefined));
      await fleet.startMachine('acme-prod', 'batch-1');
      try {
        await waitFor(
          'batch-1 online in the tree',
          async () => (/online/.test((await wb.views.waitForTreeItem(MACHINES, 'batch-1')).ariaLabel) ? true : undefined),
          { timeoutMs: 30_000 },
        );
        await runOnSelected(session, ['web-1', 'db-1', 'batch-1'], command);
        const dialog = await wb.dialogs.waitOpen();
        assert.equal(dialog.message, `Run \`${command}\` on 3 machines in Acme Production?`);
        assert.match(dialog.detail, /At most 16 at a time; each stops after 300 s\./);
        await wb.dialogs.clickButton('Cancel');
        await new Promise((r) => setTimeout(r, 1_000));
        assert.ok(
          !(await wb.views.treeItems(RUNS)).some((i) => i.level === 1 && i.label === command),
          'a cancelled confirmation added a run',
        );
        assert.equal(ranIt(), 0, 'a cancelled confirmation sent something');

        await runOnSelected(session, ['web-1', 'db-1', 'batch-1'], command);
        assert.match((await wb.dialogs.waitOpen()).message, /^Run `if \[ "\$HOSTNAME" = db-1 \]/);
        await wb.dialogs.clickButton('Run');
        const rows = await runRows(session, command, 2);
        assert.deepEqual(
          rows.map((r) => r.label),
          ['2 machines printed the same', 'db-1'],
          'the majority, then the outlier',
        );
        // Once the run's spinner turns into its result icon, the view has drawn the finished run for good.
        await waitFor('the run to show as finished', async () =>
          (await wb.views.treeRow(RUNS, command).locator('.codicon-pass').count()) > 0 ? true : undefined,
        );
        await wb.views.clickTreeItemAction(RUNS, 'db-1', 'Compare with Majority Output');
        const tab = session.page.locator('.editor-group-container.active .tab.active');
        await waitFor('the diff editor', async () => ((await tab.innerText()).includes('majority ↔ db-1') ? true : undefined));
        const diff = session.page.locator('.editor-group-container.active .monaco-diff-editor');
        await diff.waitFor({ state: 'visible', timeout: 10_000 });
        // Both sides are drawn a moment after the diff editor itself.
        await waitFor('the majority and db-1 sides in the diff', async () => {
          const sides = await diff.locator('.view-lines').allInnerTexts();
          return sides.some((t) => t.trim() === 'same') && sides.some((t) => t.trim() === 'odd') ? true : undefined;
        });

        const clipboard = () => session.page.evaluate(() => navigator.clipboard.readText());
        await treeContextAction(session, RUNS, command, 'Copy as JSON');
        const json = await waitFor('the run as JSON on the clipboard', async () => {
          try {
            return JSON.parse(await clipboard()) as {
              command: string;
              fleet: string;
              machines: { hostname: string; outcome: string; exitCode: number; output: string }[];
            };
          } catch {
            return undefined;
          }
        });
        assert.equal(json.command, command);
        assert.equal(json.fleet, 'Acme Production');
        assert.deepEqual(
          json.machines.map((m) => [m.hostname, m.outcome, m.exitCode, m.output.trim()]),
          [
            ['batch-1', 'ok', 0, 'same'],
            ['db-1', 'ok', 0, 'odd'],
            ['web-1', 'ok', 0, 'same'],
          ],
        );
        await treeContextAction(session, RUNS, command, 'Copy as Markdown Table');
        const markdown = await waitFor('the run as Markdown on the clipboard', async () =>
          (await clipboard()).includes('| machine |') ? clipboard() : undefined,
        );
        assert.match(markdown, /^\| machine \| outcome \| exit \| duration \| output \/ detail \|$/m);
        assert.match(markdown, /^\| db-1 \| ok \| 0 \| \d+ ms \| odd \|$/m);
        assert.match(markdown, /^\| web-1 \| ok \| 0 \| \d+ ms \| same \|$/m);
      } finally {
        await fleet.stopMachine('acme-prod', 'batch-1');
      }
    },
  );

  ui.test('a Guest is refused before anything is sent', async (wb, session) => {
    const before = fleetOf(session).sessions('partner-lab').length;
    await wb.runCommand('CMDOP: Run on Fleet…');
    await wb.quickInput.pick('Partner Lab');
    await waitForNotice(session, /You are a Guest in fleet "Partner Lab": guests are observer-only/);
    assert.equal(await wb.quickInput.isOpen(), false, 'no pattern or command is asked');
    assert.equal(fleetOf(session).sessions('partner-lab').length, before);
    await closeCenter(session);
  });

  ui.test(
    "the chat agent's cmdop_runCommand for a Guest fleet is refused in a sentence, with no confirmation and nothing sent",
    async (wb, session) => {
      const before = fleetOf(session).sessions('partner-lab').length;
      // As a model would: list the fleet's machines first (the answer names the role), then ask to run.
      const listed = await (await other.invokeTool(session, 'cmdop_listMachines', { fleet: 'partner-lab' })).settled;
      assert.equal(listed.ok, true, listed.error);
      assert.match(String(listed.value), /Fleet "Partner Lab" \(id partner-lab\); the user's role there: Guest/);
      assert.match(String(listed.value), /- lab-1: online/);

      const run = await other.invokeTool(session, 'cmdop_runCommand', {
        fleet: 'partner-lab',
        machines: ['lab-1'],
        command: 'touch guest-ran',
      });
      const refused = await run.settled;
      assert.equal(refused.ok, true, refused.error);
      assert.match(
        String(refused.value),
        /^Nothing was run: the user is a Guest in fleet "Partner Lab", and guests are observer-only .* ask a fleet admin for the Member role/,
      );
      assert.equal(await wb.dialogs.isOpen(), false, 'no confirmation was asked for a run that cannot happen');
      assert.equal(fleetOf(session).sessions('partner-lab').length, before, 'nothing reached the server');
    },
  );
});
