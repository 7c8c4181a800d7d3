// The public CMDOP SDK for Node (`@cmdop/node`, pinned in devDependencies), unmodified, against the fleet
// server: it sends only `authorization` and `x-cmdop-agent-id`, never workspace_id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CMDOPClient } from '@cmdop/node';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey, signIn, waitFor } from './support/fleetHelpers';

type Client = ReturnType<typeof CMDOPClient.remote>;
type Attach = ReturnType<Client['terminal']['attach']>;

/** Collects what an AttachStream delivers, so tests can wait for text to appear. */
function watch(stream: Attach) {
  const seen = {
    text: '',
    ready: false,
    closed: undefined as string | undefined,
    error: undefined as (Error & { name: string }) | undefined,
  };
  stream.on((event) => {
    if (event.type === 'sessionReady') seen.ready = true;
    if (event.type === 'output') seen.text += Buffer.from(event.data).toString();
    if (event.type === 'closed') seen.closed = event.reason;
    if (event.type === 'error') seen.error = event.error as Error & { name: string };
  });
  const connected = stream.connect();
  const until = (what: string, test: () => boolean, timeoutMs = 15_000) =>
    waitFor(what, async () => (test() ? true : undefined), timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}; output so far:\n${seen.text.slice(-2000)}`);
    });
  return { seen, connected, until };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { name: string; code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { name: string; code?: string };
  }
  throw new Error('expected the call to be refused');
}

describe('@cmdop/node SDK against the fleet server', () => {
  let server: FleetServer;
  let relay: string;
  const clients: Client[] = [];
  const remote = (apiKey: string, agentId?: string): Client => {
    const client = CMDOPClient.remote(apiKey, { server: relay, insecure: true, agentId });
    clients.push(client);
    return client;
  };
  let sdk: Client;

  before(async () => {
    server = await startFleetServer();
    relay = server.relays['acme-prod'];
    sdk = remote(seededKey(server, 'acme-prod', 'ci-deploy'));
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await server?.close();
  });

  it('healthCheck answers', async () => {
    const health = await sdk.healthCheck();
    assert.equal(health.healthy, true);
    assert.match(health.version, /cmdop-fleet-server/);
    assert.equal(health.connectedClients, 2, 'web-1 and db-1 are online');
  });

  it("terminal.list names every machine of the key's fleet with OS and online state", async () => {
    const listed = await sdk.terminal.list();
    assert.equal(listed.workspaceName, 'Acme Production');
    const rows = listed.sessions.map((s) => [s.hostname, s.os, s.status]).sort();
    assert.deepEqual(rows, [
      ['batch-1', 'linux', 'disconnected'],
      ['db-1', 'linux', 'connected'],
      ['web-1', 'linux', 'connected'],
    ]);
    assert.ok(listed.sessions.every((s) => /^[0-9a-f-]{36}$/.test(s.sessionId)));
  });

  it("setMachine + execute run commands in the machine's shared agent session with output and exit codes", async () => {
    const machine = await sdk.terminal.setMachine('web-1', false);
    const listed = await sdk.terminal.list({ hostname: 'web-1' });
    assert.equal(machine.sessionId, listed.sessions[0].sessionId, 'the id GetSessionByHostname returns is the one ListSessions shows');
    assert.equal(machine.os, 'linux');

    const ok = await sdk.terminal.execute('echo "sum=$((40+2)) host=$HOSTNAME"');
    assert.deepEqual(ok, { output: 'sum=42 host=web-1', exitCode: 0 });
    const failed = await sdk.terminal.execute('echo to-stderr >&2; sh -c "exit 3"');
    assert.deepEqual(failed, { output: 'to-stderr', exitCode: 3 });
    // The shell is shared and long-lived: state set by one command is there for the next.
    await sdk.terminal.execute('export CMDOP_MARK=kept');
    assert.equal((await sdk.terminal.execute('echo "$CMDOP_MARK"')).output, 'kept');
  });

  it('create / sendInput / getOutput / close on a fresh private session', async () => {
    const routed = remote(seededKey(server, 'acme-prod', 'ci-deploy'), 'db-1');
    const created = await routed.terminal.create({ cols: 91, rows: 27 });
    assert.notEqual(created.sessionId, (await sdk.terminal.list({ hostname: 'db-1' })).sessions[0].sessionId);
    await routed.terminal.sendInput(created.sessionId, 'echo "private=$HOSTNAME size=$(stty size)"\n');
    const text = await waitFor('the private session to answer', async () => {
      const { data } = await routed.terminal.getOutput(created.sessionId);
      const found = Buffer.from(data).toString();
      return /private=db-1 size=27 91/.test(found) ? found : undefined;
    });
    assert.match(text, /private=db-1 size=27 91/);
    await routed.terminal.close(created.sessionId);
    const status = await routed.terminal.getStatus(created.sessionId);
    assert.equal(status.status, 'DISCONNECTED');
    const audit = server.audit('acme-prod').map((e) => `${e.actor} ${e.action}`);
    for (const action of ['session.create', 'session.input', 'session.close'])
      assert.ok(audit.includes(`apikey:ci-deploy ${action}`), action);
  });

  it('attach: output, input, resize and Ctrl-C on the agent session', async () => {
    const { sessionId } = await sdk.terminal.setMachine('db-1', false);
    const stream = sdk.terminal.attach(sessionId, { cols: 100, rows: 30 });
    const { seen, connected, until } = watch(stream);
    await until('sessionReady', () => seen.ready);
    stream.sendInput('echo "attached size=$(stty size)"\n');
    await until('the first answer', () => /attached size=30 100/.test(seen.text));
    stream.sendResize(120, 40);
    stream.sendInput('echo "resized=$(stty size)"\n');
    await until('the resized answer', () => /resized=40 120/.test(seen.text));
    stream.sendInput('sleep 30; echo "not-""interrupted"\n');
    await until('sleep to start', () => /sleep 30; echo "not-""interrupted"\r\n/.test(seen.text));
    stream.sendInput('\x03');
    stream.sendInput('echo "after-""ctrl-c"\n');
    await until('the shell to come back after Ctrl-C', () => /after-ctrl-c/.test(seen.text));
    assert.doesNotMatch(seen.text, /not-interrupted/);
    stream.sendSignal(2);
    await until('the signal to be audited', () => server.audit('acme-prod').some((e) => e.action === 'session.signal:2'));
    stream.close();
    await connected;
    assert.equal(seen.error, undefined);
    assert.ok(server.audit('acme-prod').some((e) => e.action === 'session.attach' && e.target.endsWith(sessionId)));
  });

  it('attach ends with the session, saying how', async () => {
    const routed = remote(seededKey(server, 'acme-prod', 'ci-deploy'), 'web-1');
    const created = await routed.terminal.create();
    const stream = routed.terminal.attach(created.sessionId);
    const { seen, connected, until } = watch(stream);
    await until('sessionReady', () => seen.ready);
    stream.sendInput('exit 4\n');
    await connected;
    assert.equal(seen.closed, 'exited with code 4');
  });

  it("a key of another fleet cannot reach this fleet's sessions", async () => {
    const { sessionId } = await sdk.terminal.setMachine('web-1', false);
    const partner = remote(seededKey(server, 'partner-lab', 'lab-bot'));
    // The key settles its own fleet; machines of other fleets do not exist for it.
    const lookup = await rejection(partner.terminal.setMachine('web-1', false));
    assert.equal(lookup.name, 'NotFoundError');
    const input = await rejection(partner.terminal.sendInput(sessionId, 'echo nope\n'));
    assert.equal(input.name, 'NotFoundError');
    assert.match(input.message, /no session .* in fleet partner-lab/);
    // A staging key names a fleet this relay does not serve.
    const staging = remote(seededKey(server, 'acme-staging', 'staging-ci'));
    const elsewhere = await rejection(staging.terminal.list());
    assert.equal(elsewhere.code, 'FAILED_PRECONDITION');
    assert.match(elsewhere.message, /served by relay/);
  });

  it('a revoked key is refused as unauthenticated', async () => {
    const revoked = remote(seededKey(server, 'acme-prod', 'old-deploy'));
    const err = await rejection(revoked.terminal.list());
    assert.equal(err.name, 'InvalidAPIKeyError');
    assert.match(err.message, /revoked/);
  });

  it('a Guest may list and watch through attach, but not type, execute or create', async () => {
    const { tokens } = await signIn(server, 'gus@partner.test', 'gus-pass');
    const guest = remote(tokens.access_token);
    const owner = remote(seededKey(server, 'partner-lab', 'lab-bot'));
    assert.deepEqual(
      (await guest.terminal.list()).sessions.map((s) => s.hostname),
      ['lab-1'],
    );
    const { sessionId } = await guest.terminal.setMachine('lab-1');

    const denied = await rejection(guest.terminal.sendInput(sessionId, 'echo guest\n'));
    assert.equal(denied.name, 'PermissionError');
    assert.match(denied.message, /observer-only/);
    const executed = await guest.terminal.execute('echo guest');
    assert.equal(executed.exitCode, -1);
    assert.match(executed.output, /observer-only/);

    const stream = guest.terminal.attach(sessionId);
    const { seen, connected, until } = watch(stream);
    await until('sessionReady', () => seen.ready);
    await owner.terminal.setMachine('lab-1');
    assert.equal((await owner.terminal.execute('echo "owner-""wrote"')).exitCode, 0);
    await until("the guest to see the owner's command", () => /owner-wrote/.test(seen.text));
    stream.sendInput('echo guest-typed\n');
    await connected;
    assert.equal(seen.error?.name, 'PermissionError');
    assert.match(seen.error?.message ?? '', /observer-only.*cannot send input/);
    assert.ok(!server.audit('partner-lab').some((e) => e.actor === 'gus@partner.test' && e.action === 'session.input'));
  });
});
