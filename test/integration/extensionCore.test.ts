// The extension's pure core (device flow, token keeper, fleet context, relay client, remote session)
// against the real local fleet server, wired by the same builder the extension uses: no VS Code, no stand-ins
// but in-memory secret storage and globalState.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import { CredentialRefusedError, DeviceFlowError } from '../../src/core/errors';
import { runDeviceFlow } from '../../src/core/oauth/deviceFlow';
import { SCOPES } from '../../src/core/oauth/oidcClient';
import { RemoteSession } from '../../src/core/relay/remoteSession';
import { type TestModeServices, testModeServices } from './support/modeServices';

function seededKey(server: FleetServer, fleetId: string, name: string): string {
  const fleet = server.seed.fleets.find((f) => f.id === fleetId)!;
  return fleet.api_keys.find((k) => k.name === name)!.secret;
}

describe('extension core against the local fleet server', () => {
  let server: FleetServer;
  before(async () => {
    server = await startFleetServer({ accessTokenTtlSeconds: 3600 });
  });
  after(async () => {
    await server?.close();
  });

  const built: TestModeServices[] = [];
  after(() => {
    for (const services of built) services.dispose();
  });

  function build(env: Record<string, string> = {}) {
    const endpoints = { issuer: server.issuer, api: server.apiUrl, relay: server.defaultRelay, clientId: server.clientId };
    const services = testModeServices(endpoints, { env });
    built.push(services);
    return services;
  }

  async function signIn(t: ReturnType<typeof build>, email = 'alice@acme.test', password = 'alice-pass') {
    const abort = new AbortController();
    const tokens = await runDeviceFlow(
      t.idp,
      (code) => void approveDeviceCode({ issuer: server.issuer, userCode: code.userCode, email, password }),
      abort.signal,
    );
    await t.keeper.signedIn(tokens, SCOPES);
  }

  async function run(client: ReturnType<TestModeServices['pool']['get']>, hostname: string, command: string) {
    const session = await RemoteSession.open(client, hostname, { command, cols: 80, rows: 24 });
    const chunks: Buffer[] = [];
    session.onOutput((b) => chunks.push(Buffer.from(b)));
    const exit = await new Promise<{ code: number }>((resolve, reject) => {
      session.onExit(resolve);
      session.onDisconnect(reject);
    });
    return { output: Buffer.concat(chunks).toString('utf8'), exit };
  }

  it("signs in by device flow, lists the user's fleets with roles, and runs a command with exit code 7", async () => {
    const t = build();
    await signIn(t);
    const active = await t.fleets.current();
    assert.equal(active.credential.source, 'oauth');
    assert.equal(active.identity, 'alice@acme.test');
    const choices = await t.fleets.choices();
    const roles = Object.fromEntries(choices.map((c) => [c.fleet.id, c.fleet.role]));
    assert.deepEqual(roles, { 'acme-prod': 'Owner', 'acme-staging': 'Admin', 'partner-lab': 'Guest' });
    assert.notEqual(
      choices.find((c) => c.fleet.id === 'acme-staging')!.fleet.relay,
      server.defaultRelay,
      'staging is served by its own relay',
    );

    try {
      const fleet = choices.find((c) => c.fleet.id === 'acme-prod')!.fleet;
      const { credential } = await t.fleets.current({ fleetId: fleet.id });
      const result = await run(
        t.pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential }),
        'web-1',
        'echo hello; exit 7',
      );
      assert.match(result.output, /hello/);
      assert.equal(result.exit.code, 7);
    } finally {
      t.dispose();
    }
    assert.ok(server.audit('acme-prod').some((e) => e.actor === 'alice@acme.test'));
  });

  it('a denied device code is reported plainly', async () => {
    const t = build();
    await assert.rejects(
      runDeviceFlow(
        t.idp,
        (code) =>
          void approveDeviceCode({
            issuer: server.issuer,
            userCode: code.userCode,
            email: 'alice@acme.test',
            password: 'alice-pass',
            deny: true,
          }),
        new AbortController().signal,
      ),
      (err: Error) => err instanceof DeviceFlowError && err.reason === 'denied',
    );
  });

  it('CMDOP_API_KEY wins, learns its fleet from the server, and a revoked one is refused naming the env var', async () => {
    const ok = build({ CMDOP_API_KEY: seededKey(server, 'acme-staging', 'staging-ci') });
    const active = await ok.fleets.current();
    assert.equal(active.credential.source, 'env');
    assert.equal(active.fleet.id, 'acme-staging');
    assert.equal(active.identity, 'apikey:staging-ci');

    const revoked = build({ CMDOP_API_KEY: seededKey(server, 'acme-prod', 'old-deploy') });
    await assert.rejects(revoked.fleets.current(), (err: Error) => {
      assert.ok(err instanceof CredentialRefusedError);
      assert.match(err.message, /^API key from CMDOP_API_KEY was refused: .*revoked/i);
      assert.ok(!err.message.includes(seededKey(server, 'acme-prod', 'old-deploy')));
      return true;
    });
  });

  it('an interactive shell: input, resize, Ctrl-C interrupts a long command, and the session resumes output after a dropped stream', async () => {
    const t = build({ CMDOP_API_KEY: seededKey(server, 'acme-prod', 'ci-deploy') });
    const { credential, fleet } = await t.fleets.current();
    try {
      const client = t.pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential });
      const session = await RemoteSession.open(client, 'db-1', { cols: 100, rows: 30 });
      let text = '';
      session.onOutput((b) => (text += Buffer.from(b).toString('utf8')));
      const waitText = (re: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(text.slice(-500))}`)), 15_000);
          const check = setInterval(() => {
            if (re.test(text)) {
              clearTimeout(timer);
              clearInterval(check);
              resolve();
            }
          }, 20);
        });
      await session.write(Buffer.from('echo hi-$((40+2))\r'));
      await waitText(/hi-42/);
      await session.resize(132, 43);
      await session.write(Buffer.from('echo size-$(stty size | tr " " x)\r'));
      await waitText(/size-43x132/);
      await session.write(Buffer.from('sleep 100; echo not-$((0+1))-interrupted\r'));
      await new Promise((r) => setTimeout(r, 300));
      await session.write(Buffer.from('\x03'));
      await session.write(Buffer.from('echo after-$((1+1))\r'));
      await waitText(/after-2/);
      assert.doesNotMatch(text, /not-1-interrupted/);

      const before = session.bytesReceived;
      await session.resume(); // drops the stream and reopens it from the last byte seen
      await session.write(Buffer.from('echo resumed-$((2+3))\r'));
      await waitText(/resumed-5/);
      assert.ok(session.bytesReceived > before);
      assert.equal((text.match(/hi-42/g) ?? []).length, 1, 'output seen once: nothing replayed after resume');
      await session.close();
    } finally {
      t.dispose();
    }
  });
});
