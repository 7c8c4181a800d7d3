// A second extension installed next to ours (test/e2e/crafted-caller) calls CMDOP's commands with arguments it
// crafted: a relay address of its choosing (a TCP listener this test opens), a role, names, a forged run. No
// connection ever reaches that listener (no credential leaves), the terminals open through our own record of
// the fleet, and a run it asks for shows the modal with the command and the machine, where Cancel runs nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { defaultVsix, type LocalFleet, type Session, startLocalFleet, useWorkbench, waitFor } from './harness';
import { treeContextAction } from './flows/contextMenu';
import { fleetSession } from './flows/fleetSession';
import { OtherExtension } from './flows/otherExtension';

const STATUS = 'cmdop.status';
const SHELL_NAME = 'CMDOP: web-1 (Acme Production)';
const scratch = mkdtempSync(join(tmpdir(), 'cmdop-crafted-'));
const other = new OtherExtension(scratch);

/** A relay address that is nobody's: every connection to it is counted (and dropped). */
class DecoyRelay {
  connections = 0;
  private readonly server: Server = createServer((socket) => {
    this.connections++;
    socket.destroy();
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const shellCount = async (session: Session) => (await session.wb.terminal.names()).filter((n) => n === SHELL_NAME).length;

describe('our commands called by another extension with crafted arguments', () => {
  const decoy = new DecoyRelay();
  let decoyAddress = '';
  let fleet: LocalFleet | undefined;
  const fleetNow = () => fleet!;

  const ui = useWorkbench(async () => {
    decoyAddress = await decoy.listen();
    fleet = await startLocalFleet();
    const key = fleet.seed.fleets.find((f) => f.id === 'acme-prod')?.api_keys.find((k) => k.name === 'ci-deploy')?.secret;
    if (!key) throw new Error('no seeded ci-deploy key in acme-prod');
    return fleetSession('crafted-arguments', {
      fleet,
      vsix: [defaultVsix, other.vsix()],
      env: { CMDOP_API_KEY: key, ...other.env() },
    });
  });
  after(async () => {
    await decoy.close();
    await fleet?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  ui.test(
    'cmdop.openShell with a relay in its argument opens web-1 through our own relay; the crafted relay gets nothing',
    async (wb, session) => {
      await wb.statusBar.waitForText(STATUS, /^Acme Production/, 30_000);
      const shape = {
        fleet: { id: 'acme-prod', relay: decoyAddress, name: 'Evil', role: 'Owner' },
        hostname: 'web-1',
        relay: decoyAddress,
      };
      const running = () =>
        fleetNow()
          .sessions('acme-prod')
          .filter((s) => s.hostname === 'web-1' && s.state === 'running').length;
      const before = running();
      const call = await other.call(session, 'cmdop.openShell', [shape]);
      assert.equal((await call.settled).ok, true);
      await wb.terminal.waitForName(SHELL_NAME, 30_000);
      await waitFor('a shell session on web-1 at our own relay', () => (running() > before ? true : undefined), { timeoutMs: 30_000 });

      // The same through an object shaped like a row of our Machines tree.
      const shells = await shellCount(session);
      const row = {
        kind: 'machine',
        fleet: { id: 'acme-prod', name: 'Evil', role: 'Owner', relay: decoyAddress },
        machine: { id: 'x', hostname: 'web-1', name: 'Evil', is_online: true },
      };
      assert.equal((await (await other.call(session, 'cmdop.openShell', [row])).settled).ok, true);
      await waitFor('a second web-1 shell named from our own records', async () =>
        (await shellCount(session)) > shells ? true : undefined,
      );
      assert.equal(decoy.connections, 0, 'nothing connected to the relay the argument named');
    },
  );

  ui.test('cmdop.sessions.attach with a crafted fleet (relay, role) joins the live session through our own relay', async (wb, session) => {
    // The id of web-1's shared session, as anyone who sees the Sessions view could learn it: attach once from our view.
    const webSessions = () =>
      fleetNow()
        .sessions('acme-prod')
        .filter((s) => s.hostname === 'web-1' && s.state === 'running')
        .map((s) => s.id);
    const before = new Set(webSessions());
    await wb.views.openContainer('CMDOP');
    await treeContextAction(session, 'Sessions', 'web-1', 'Attach to Session');
    await wb.terminal.waitForName(`${SHELL_NAME} · attached`, 30_000);
    const shared = await waitFor('the shared session of web-1 to run', () => webSessions().find((id) => !before.has(id)));
    const attached = async () => (await session.wb.terminal.names()).filter((n) => n === `${SHELL_NAME} · attached`).length;
    assert.equal(await attached(), 1);

    const row = {
      kind: 'session',
      fleet: { id: 'acme-prod', relay: decoyAddress, role: 'Owner', name: 'Evil' },
      session: { id: shared, hostname: 'web-1', name: 'Evil' },
    };
    assert.equal((await (await other.call(session, 'cmdop.sessions.attach', [row])).settled).ok, true);
    await waitFor('a second terminal attached to web-1, named from our own records', async () =>
      (await attached()) === 2 ? true : undefined,
    );
    assert.equal(decoy.connections, 0);
  });

  ui.test('a machine-files command with a crafted relay reaches only our own relay', async (wb, session) => {
    const shape = { fleet: { id: 'acme-prod', relay: decoyAddress }, hostname: 'web-1' };
    const call = await other.call(session, 'cmdop.openMachineFolder', [shape]);
    // Our relay either serves files (the path prompt opens) or says it does not (the command ends with an error).
    const seen = await waitFor(
      'the path prompt for web-1, or the command to end',
      async () => {
        if (/Open Folder on Machine \(web-1\)/.test(await wb.quickInput.title())) return 'prompt';
        return call.isSettled() ? 'ended' : undefined;
      },
      { timeoutMs: 30_000 },
    );
    if (seen === 'prompt') await wb.quickInput.cancel();
    await call.settled;
    assert.equal(decoy.connections, 0);
  });

  ui.test(
    'cmdop.runOnMachines from the other extension shows the modal with the command and the machine; Cancel runs nothing',
    async (wb, session) => {
      const marker = join(scratch, 'ran-it');
      const command = `touch ${marker}`;
      const ranIt = () =>
        fleetNow()
          .sessions('acme-prod')
          .filter((s) => s.command === command).length;
      const request = {
        fleetId: 'acme-prod',
        fleet: { id: 'acme-prod', relay: decoyAddress },
        relay: decoyAddress,
        hostnames: ['web-1'],
        command,
      };
      const call = await other.call(session, 'cmdop.runOnMachines', [request]);
      const dialog = await wb.dialogs.waitOpen(30_000);
      assert.equal(dialog.message, `Run \`${command}\` on 1 machine in Acme Production?`);
      assert.match(dialog.detail, /Machines: web-1\./);
      await wb.dialogs.clickButton('Cancel');
      const outcome = await call.settled;
      assert.deepEqual([outcome.ok, outcome.value], [true, null], 'declined: the caller gets no results');
      assert.equal(ranIt(), 0, 'no session ran the command on the server');
      assert.equal(existsSync(marker), false, 'the command never ran on the machine');
      assert.equal(decoy.connections, 0);
    },
  );

  ui.test('a rerun of a forged run object asks with the run the Runs view holds, never the forged command', async (wb, session) => {
    const command = 'echo crafted-held';
    const first = await other.call(session, 'cmdop.runOnMachines', [{ fleetId: 'acme-prod', hostnames: ['web-1'], command }]);
    await wb.dialogs.clickButton('Run', 30_000);
    const results = (await first.settled).value as { hostname: string; exitCode?: number }[];
    assert.deepEqual(
      results.map((r) => [r.hostname, r.exitCode]),
      [['web-1', 0]],
    );
    const forgedCommand = `touch ${join(scratch, 'rerun-forged')}`;
    const forged = {
      kind: 'run',
      run: { id: 1, command: forgedCommand, fleetId: 'acme-prod', fanOut: { results: [{ hostname: 'web-1' }] } },
    };
    const rerun = await other.call(session, 'cmdop.runs.rerunAll', [forged]);
    const dialog = await wb.dialogs.waitOpen(30_000);
    assert.equal(dialog.message, `Run \`${command}\` on 1 machine in Acme Production?`);
    await wb.dialogs.clickButton('Cancel');
    await rerun.settled;
    assert.equal(
      fleetNow()
        .sessions('acme-prod')
        .filter((s) => s.command === forgedCommand).length,
      0,
    );
    assert.equal(
      fleetNow()
        .sessions('acme-prod')
        .filter((s) => s.command === command).length,
      1,
      'the held command ran once, not again',
    );
    assert.equal(decoy.connections, 0);
  });
  // A chat agent's tool call, made here by the other extension through vscode.lm.invokeTool outside a chat request:
  // VS Code shows the tool's confirmation (our prepareInvocation's title and message) as its own dialog, the one
  // a person answers before anything is sent. In a chat request the same text is shown in the chat instead.
  ui.test(
    "cmdop_runCommand for a chat agent shows VS Code's confirmation with title, host and command; Cancel sends nothing, Continue runs",
    async (wb, session) => {
      const marker = join(scratch, 'chat-ran-it');
      const command = `touch ${marker} && echo chat-confirmed-on-$HOSTNAME`;
      const sessionsOnServer = () => fleetNow().sessions('acme-prod').length;
      const before = sessionsOnServer();

      const declined = await other.invokeTool(session, 'cmdop_runCommand', { machines: ['web-1'], command });
      const dialog = await wb.dialogs.waitOpen(30_000);
      assert.equal(dialog.message, 'Run on 1 machine in Acme Production?');
      assert.match(dialog.detail, /^Machines: web-1$/m);
      assert.ok(dialog.detail.includes(command), `the command is shown: ${dialog.detail}`);
      assert.match(dialog.detail, /Runs with your own CMDOP credential and role; each machine stops after \d+ s\./);
      assert.ok(dialog.buttons.includes('Cancel'), `buttons: ${dialog.buttons.join(', ')}`);
      await wb.dialogs.clickButton('Cancel');
      const refused = await declined.settled;
      assert.equal(refused.ok, false, 'the tool call ends as cancelled');
      assert.match(refused.error ?? '', /cancel/i);
      assert.equal(sessionsOnServer(), before, 'no session was opened on the server');
      assert.equal(existsSync(marker), false, 'the command never ran on the machine');

      const accepted = await other.invokeTool(session, 'cmdop_runCommand', { machines: ['web-1'], command });
      const again = await wb.dialogs.waitOpen(30_000);
      assert.equal(again.message, 'Run on 1 machine in Acme Production?');
      const proceed = again.buttons.find((b) => b !== 'Cancel');
      assert.ok(proceed, `a button to go on: ${again.buttons.join(', ')}`);
      await wb.dialogs.clickButton(proceed);
      const ran = await accepted.settled;
      assert.equal(ran.ok, true, ran.error);
      assert.match(String(ran.value), /Ran `touch [^`]+` on 1 machine in Acme Production \(run #\d+ in the CMDOP Runs view\)/);
      assert.match(String(ran.value), /web-1 \(exit 0\):\n```\n[\s\S]*chat-confirmed-on-web-1/);
      assert.equal(existsSync(marker), true, 'the command ran on web-1');
      assert.equal(sessionsOnServer(), before + 1, 'one session, on web-1');
      assert.equal(await wb.dialogs.isOpen(), false, 'VS Code asked once: no second modal of ours');
      const row = await wb.views.waitForTreeItem('Runs', command, 30_000);
      assert.match(row.description, /· from chat$/);
      assert.equal(decoy.connections, 0);
    },
  );
});
