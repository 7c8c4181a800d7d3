// The extension's terminals are the same to the user whether the relay has this project's
// extensions or speaks only upstream CMDOP (fleet server --upstream-only: ConnectTerminal attach for
// shells, commands typed between exit-code markers). Run Command with its exit code, an interactive
// shell, Ctrl-C and resize, in both modes.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { useWorkbench, waitFor } from './harness';
import { signInThroughUi } from './flows/deviceSignIn';
import { treeContextAction } from './flows/contextMenu';
import { runCommandFromTree } from './flows/runCommand';
import { checkInteractiveShell } from './flows/interactiveShell';
import { fleetOf, fleetSession } from './flows/fleetSession';

const VIEW = 'Machines';
const STATUS = 'cmdop.status';

for (const mode of ['upstream-only', 'extensions'] as const) {
  describe(`terminals against a relay with ${mode}`, () => {
    const ui = useWorkbench(() => fleetSession(`terminals-${mode}`, { fleet: { upstreamOnly: mode === 'upstream-only' } }));

    ui.test('signs in and lists the machines', async (wb, session) => {
      await wb.statusBar.waitForText(STATUS, 'CMDOP: Sign in', 60_000);
      await wb.views.openContainer('CMDOP');
      await signInThroughUi(session, fleetOf(session).issuer);
      await wb.statusBar.waitForText(STATUS, /OAuth$/, 30_000);
      await wb.views.expandTreeItem(VIEW, 'Acme Production');
      await wb.views.waitForTreeItem(VIEW, 'db-1');
    });

    ui.test("Run Command… shows the command's output only and ends with its exit code", async (_wb, session) => {
      const text = await runCommandFromTree(session, 'db-1', 'uname -s; echo "sum=$((20+22))"; sh -c "exit 3"', 3);
      assert.match(text, /^Linux$/m);
      assert.match(text, /^sum=42$/m);
      assert.match(text, /\[db-1: exit code 3\]/);
      assert.doesNotMatch(text, /CMDOP-(START|END)|PROMPT_COMMAND|uname -s/, 'no markers and no echo of the typed line');
    });

    ui.test('Open Shell is interactive, Ctrl-C interrupts, and a resize reaches the remote PTY', async (wb, session) => {
      await treeContextAction(session, VIEW, 'web-1', 'Open Shell');
      await wb.terminal.waitForName('CMDOP: web-1', 20_000);
      await checkInteractiveShell(wb);

      await wb.terminal.sendLine('echo "cols-before=$(tput cols)"');
      const before = Number(/^cols-before=(\d+)$/m.exec(await wb.terminal.waitForText(/^cols-before=\d+$/m, 15_000))![1]);
      await session.page.setViewportSize({ width: 900, height: 800 });
      const narrower = await waitFor('the remote PTY to get narrower', async () => {
        await wb.terminal.sendLine('echo "cols-now=$(tput cols)"');
        await new Promise((r) => setTimeout(r, 500));
        const seen = [...(await wb.terminal.text()).matchAll(/^cols-now=(\d+)$/gm)].map((m) => Number(m[1]));
        const last = seen.at(-1);
        return last !== undefined && last < before ? last : undefined;
      });
      assert.ok(narrower < before, `columns ${before} → ${narrower}`);
      await session.page.setViewportSize({ width: 1400, height: 900 });
    });
  });
}
