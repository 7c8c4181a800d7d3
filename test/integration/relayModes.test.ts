// The extension's relay core against the fleet server in both modes: with this project's extensions and
// with --upstream-only (ConnectTerminal attach; commands typed between exit-code markers). The same calls,
// the same results.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { SessionEndedError } from '../../src/core/errors';
import { runCommand } from '../../src/core/relay/commandRun';
import { RelayClient } from '../../src/core/relay/relayClient';
import { RemoteSession } from '../../src/core/relay/remoteSession';

function seededKey(server: FleetServer, fleetId: string, name: string): string {
  return server.seed.fleets.find((f) => f.id === fleetId)!.api_keys.find((k) => k.name === name)!.secret;
}

/** Output collected as text, with a way to wait until some appears. */
function collect(session: RemoteSession) {
  let text = '';
  session.onOutput((data) => (text += Buffer.from(data).toString()));
  const until = async (pattern: RegExp, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${text.slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const exited = new Promise<{ code: number; signal: number; reason: string }>((resolve, reject) => {
    session.onExit(resolve);
    session.onDisconnect(reject);
  });
  return { text: () => text, until, exited };
}

for (const mode of ['extensions', 'upstream-only'] as const) {
  describe(`relay core, fleet server with ${mode}`, () => {
    let server: FleetServer;
    let client: RelayClient;

    before(async () => {
      server = await startFleetServer({ upstreamOnly: mode === 'upstream-only' });
      client = new RelayClient({
        address: server.relays['acme-prod'],
        fleetId: 'acme-prod',
        fleetName: 'Acme Production',
        credential: { kind: 'apiKey', source: 'setting', secret: seededKey(server, 'acme-prod', 'ci-deploy'), fleetId: 'acme-prod' },
      });
    });
    after(async () => {
      client?.close();
      await server?.close();
    });

    it('learns what the relay offers', async () => {
      assert.deepEqual(await client.capabilities(), { extensions: mode === 'extensions', openInStream: mode === 'extensions' });
    });

    it('runs a command: its output only, and its exit code', async () => {
      const chunks: Buffer[] = [];
      const ok = await runCommand(client, 'web-1', 'echo "host=$HOSTNAME"; printf "no newline at the end"', {
        onOutput: (d) => chunks.push(Buffer.from(d)),
      });
      assert.equal(ok.exitCode, 0);
      assert.equal(Buffer.concat(chunks).toString(), 'host=web-1\r\nno newline at the end');
      const failed = await runCommand(client, 'web-1', 'echo out; echo err >&2; sh -c "exit 3"', { onOutput: () => undefined });
      assert.equal(failed.exitCode, 3);
      const multiLine = await runCommand(client, 'web-1', 'for i in 1 2 3\ndo echo "line $i"\ndone', { onOutput: () => undefined });
      assert.equal(multiLine.exitCode, 0);
    });

    it('ends a command that exits its shell with that code', async () => {
      const result = await runCommand(client, 'db-1', 'echo bye; exit 4', { onOutput: () => undefined });
      assert.equal(result.exitCode, 4);
    });

    it("returns the shell's parse error and a non-zero code for a command it cannot parse", async () => {
      for (const [command, message] of [
        ['echo (', /syntax error/],
        ['echo "abc', /unexpected EOF|matching/],
      ] as const) {
        let text = '';
        const result = await runCommand(client, 'web-1', command, { onOutput: (d) => (text += Buffer.from(d).toString()) });
        assert.notEqual(result.exitCode, 0, command);
        assert.match(text, message, command);
        assert.doesNotMatch(text, /CMDOP-/);
      }
    });

    it('reports a command whose session someone else closed as an error with the reason, not exit 0', async () => {
      const before = new Set(server.sessions('acme-prod').map((s) => s.id));
      let text = '';
      let markStarted!: () => void;
      const started = new Promise<void>((resolve) => (markStarted = resolve));
      const run = runCommand(client, 'web-1', 'echo "run""ning"; exec sleep 30', {
        onOutput: (d) => {
          text += Buffer.from(d).toString();
          if (text.includes('running')) markStarted();
        },
      });
      const settled = run.then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      await started;
      const ours = server.sessions('acme-prod').filter((s) => !before.has(s.id) && s.hostname === 'web-1' && s.state === 'running');
      assert.equal(ours.length, 1);
      await client.closeSession(ours[0].id, 'closed by an administrator');
      const outcome = await settled;
      assert.ok('error' in outcome, `resolved as ${JSON.stringify((outcome as { result?: unknown }).result)}`);
      assert.ok(outcome.error instanceof SessionEndedError, String(outcome.error));
      assert.match(outcome.error.reason, /closed/);
      assert.match(outcome.error.message, /web-1/);
    });

    it('stops a command on Ctrl-C with exit code 130', async () => {
      const session = await RemoteSession.open(client, 'web-1', {
        command: `sh -c 'echo "waiting"; exec sleep 30'; echo "not-""reached"`,
        cols: 80,
        rows: 24,
      });
      const { until, exited, text } = collect(session);
      // "waiting" comes from the foreground job itself: an interactive shell hands the terminal to a job
      // before it runs, so a Ctrl-C sent now reaches it (sent between two jobs of a list, bash would only
      // note it and go on with the list when the next job exits normally).
      await until(/waiting/);
      await session.write(Buffer.from('\x03'));
      const exit = await exited;
      // Killed by SIGINT: the extension reports the signal, the markers the shell's $? (128 + 2).
      assert.equal(exit.signal ? 128 + exit.signal : exit.code, 130);
      assert.doesNotMatch(text(), /not-reached|CMDOP-/);
    });

    it('runs an interactive shell: input, resize and exit', async () => {
      const session = await RemoteSession.open(client, 'db-1', { cols: 100, rows: 30 });
      const { until, exited } = collect(session);
      await session.write(Buffer.from('echo "size=$(stty size)"\n'));
      await until(/size=30 100/);
      await session.resize(120, 40);
      await session.write(Buffer.from('echo "now=$(stty size)"\n'));
      await until(/now=40 120/);
      await session.write(Buffer.from('exit 6\n'));
      assert.equal((await exited).code, 6);
    });

    it("attaches to a machine's shared agent session and detaches without ending it", async () => {
      const listed = await client.listSessions();
      const web = listed.find((s) => s.machine_hostname === 'web-1')!;
      const first = await RemoteSession.attach(client, web.session_id, { cols: 80, rows: 24 });
      const watch = collect(first);
      await first.write(Buffer.from('export SHARED_MARK=one; echo "set-""$SHARED_MARK"\n'));
      await watch.until(/set-one/);
      await first.close();
      const second = await RemoteSession.attach(client, web.session_id, { cols: 80, rows: 24 });
      const again = collect(second);
      // The replay shows what came before, and the shell kept its state.
      await again.until(/set-one/);
      await second.write(Buffer.from('echo "still-""$SHARED_MARK"\n'));
      await again.until(/still-one/);
      await second.close();
    });
  });
}
