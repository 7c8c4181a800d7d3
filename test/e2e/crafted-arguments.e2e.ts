// A second extension installed next to ours (test/e2e/crafted-caller) calls CMDOP's commands with arguments it
// crafted: a relay address of its choosing (a TCP listener this test opens), a role, names, a forged run. No
// connection ever reaches that listener (no credential leaves), the terminals open through our own record of
// the fleet, and a run it asks for shows the modal with the command and the machine, where Cancel runs nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { defaultVsix, type LocalFleet, repoRoot, type Session, startLocalFleet, useWorkbench, waitFor } from './harness';
import { treeContextAction } from './flows/contextMenu';
import { fleetSession } from './flows/fleetSession';

const STATUS = 'cmdop.status';
const SHELL_NAME = 'CMDOP: web-1 (Acme Production)';
const scratch = mkdtempSync(join(tmpdir(), 'cmdop-crafted-'));
const requestFile = join(scratch, 'request.json');

/** The test extension as a .vsix, packaged from its folder with the same vsce that packages ours. */
function packageCraftedCaller(): string {
  const out = join(scratch, 'crafted-caller.vsix');
  execFileSync(
    join(repoRoot, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: join(repoRoot, 'test', 'e2e', 'crafted-caller'), stdio: 'pipe' },
  );
  return out;
}

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

type Outcome = { id: number; ok: boolean; value?: unknown; error?: string };
let calls = 0;

/** Has the other extension call `command` with `args`; resolves once it says how the call settled. */
async function callFromOtherExtension(session: Session, command: string, args: unknown[]): Promise<{ settled: Promise<Outcome> }> {
  const id = ++calls;
  writeFileSync(requestFile, JSON.stringify({ id, command, args }));
  await session.wb.runCommand('Crafted Caller: Call CMDOP', { id: 'craftedCaller.call' });
  const resultFile = `${requestFile}.${id}.result.json`;
  const settled = waitFor(
    `${command} called by the other extension to settle`,
    () => (existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome) : undefined),
    { timeoutMs: 60_000 },
  );
  settled.catch(() => undefined); // awaited by the test; a rejection before that is not unhandled
  return { settled };
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
      vsix: [defaultVsix, packageCraftedCaller()],
      env: { CMDOP_API_KEY: key, CRAFTED_CALLER_REQUEST: requestFile },
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
      const call = await callFromOtherExtension(session, 'cmdop.openShell', [shape]);
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
      assert.equal((await (await callFromOtherExtension(session, 'cmdop.openShell', [row])).settled).ok, true);
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
    assert.equal((await (await callFromOtherExtension(session, 'cmdop.sessions.attach', [row])).settled).ok, true);
    await waitFor('a second terminal attached to web-1, named from our own records', async () =>
      (await attached()) === 2 ? true : undefined,
    );
    assert.equal(decoy.connections, 0);
  });

  ui.test('a machine-files command with a crafted relay reaches only our own relay', async (wb, session) => {
    const shape = { fleet: { id: 'acme-prod', relay: decoyAddress }, hostname: 'web-1' };
    const call = await callFromOtherExtension(session, 'cmdop.openMachineFolder', [shape]);
    // Our relay either serves files (the path prompt opens) or says it does not (the command ends with an error).
    const seen = await waitFor(
      'the path prompt for web-1, or the command to end',
      async () => {
        if (/Open Folder on Machine \(web-1\)/.test(await wb.quickInput.title())) return 'prompt';
        return existsSync(`${requestFile}.${calls}.result.json`) ? 'ended' : undefined;
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
      const call = await callFromOtherExtension(session, 'cmdop.runOnMachines', [request]);
      const dialog = await wb.dialogs.waitOpen(30_000);
      assert.equal(dialog.message, `Run \`${command}\` on 1 machines in Acme Production?`);
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
    const first = await callFromOtherExtension(session, 'cmdop.runOnMachines', [{ fleetId: 'acme-prod', hostnames: ['web-1'], command }]);
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
    const rerun = await callFromOtherExtension(session, 'cmdop.runs.rerunAll', [forged]);
    const dialog = await wb.dialogs.waitOpen(30_000);
    assert.equal(dialog.message, `Run \`${command}\` on 1 machines in Acme Production?`);
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
});
