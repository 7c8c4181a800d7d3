// The extension's pure core (device flow, token keeper, fleet context, relay client, remote session)
// against the real local fleet server: no VS Code, no stand-ins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import { CredentialRefusedError, DeviceFlowError } from '../../src/core/errors';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { FleetContext } from '../../src/core/fleet/fleetContext';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { LegacyImporter } from '../../src/core/credentials/legacyImport';
import { runDeviceFlow } from '../../src/core/oauth/deviceFlow';
import { OpenIdProvider, SCOPES } from '../../src/core/oauth/oidcClient';
import { SessionStore } from '../../src/core/oauth/sessionStore';
import { TokenKeeper } from '../../src/core/oauth/tokenKeeper';
import { RelayPool } from '../../src/core/relay/relayPool';
import { RemoteSession } from '../../src/core/relay/remoteSession';
import { MemorySecrets, MemoryState } from '../unit/support/memory';

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

  function build(env: Record<string, string> = {}) {
    const secrets = new MemorySecrets();
    const state = new MemoryState();
    const idp = new OpenIdProvider(server.issuer, server.clientId);
    const keeper = new TokenKeeper({ store: new SessionStore(secrets, 'dev'), idp });
    const keys = new FleetKeyStore(secrets, state);
    const api = new FleetApi(server.apiUrl);
    const legacy = new LegacyImporter({
      state,
      keys,
      candidates: [],
      confirm: async () => false,
      setActiveFleet: async () => {},
      log: () => {},
    });
    const fleets = new FleetContext({
      mode: 'dev',
      endpoints: { issuer: server.issuer, api: server.apiUrl, relay: server.defaultRelay, clientId: server.clientId },
      env,
      settingFleet: () => undefined,
      state,
      keys,
      legacy,
      keeper,
      api,
    });
    return { secrets, state, idp, keeper, keys, api, fleets };
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

  async function run(client: ReturnType<RelayPool['get']>, hostname: string, command: string) {
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

    const pool = new RelayPool();
    try {
      const fleet = choices.find((c) => c.fleet.id === 'acme-prod')!.fleet;
      const { credential } = await t.fleets.current({ fleetId: fleet.id });
      const result = await run(
        pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential }),
        'web-1',
        'echo hello; exit 7',
      );
      assert.match(result.output, /hello/);
      assert.equal(result.exit.code, 7);
    } finally {
      pool.reset();
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
    const pool = new RelayPool();
    try {
      const client = pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential });
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
      pool.reset();
    }
  });
});
