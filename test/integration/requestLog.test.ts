// The trace-level request log of a full session — sign-in by device flow, token refresh, fleets and
// machines over REST, fleet API keys, a shell, a fan-out and sign-out — has a line for every call, and none of
// the secrets the session handled: tokens, device and user codes, API keys, passwords.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import { FanOut } from '../../src/core/fanOut/fanOut';
import { RelaySessionRunner } from '../../src/core/fanOut/relayRunner';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { runDeviceFlow } from '../../src/core/oauth/deviceFlow';
import { OpenIdProvider } from '../../src/core/oauth/oidcClient';
import { RelayPool } from '../../src/core/relay/relayPool';
import { RemoteSession } from '../../src/core/relay/remoteSession';
import { loggingFetch, type RequestLogger } from '../../src/core/network/requestLog';

/** Collects every line at every level, as a LogOutputChannel set to Trace would. */
class TraceLog implements RequestLogger {
  readonly lines: string[] = [];
  debug = (text: string) => void this.lines.push(`[debug] ${text}`);
  trace = (text: string) => void this.lines.push(`[trace] ${text}`);
}

/** Wraps the real fetch and remembers every credential-like value the servers send back. */
function secretTap(secrets: Set<string>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.clone().text();
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      for (const field of ['access_token', 'refresh_token', 'id_token', 'device_code', 'user_code']) {
        if (typeof json[field] === 'string') secrets.add(json[field] as string);
      }
    } catch {
      // not JSON
    }
    return response;
  };
}

describe('request log at trace level over a full session', () => {
  let server: FleetServer;
  before(async () => {
    server = await startFleetServer({ accessTokenTtlSeconds: 3600 });
  });
  after(async () => {
    await server?.close();
  });

  it('records each REST, identity-provider and relay call with status and duration, and no secret', async () => {
    const log = new TraceLog();
    const secrets = new Set<string>(['alice-pass', server.adminToken]);
    for (const fleet of server.seed.fleets) for (const key of fleet.api_keys) secrets.add(key.secret);
    const fetchImpl = loggingFetch(log, secretTap(secrets));
    const idp = new OpenIdProvider(server.issuer, server.clientId, fetchImpl);
    const api = new FleetApi(server.apiUrl, fetchImpl);
    const pool = new RelayPool({ log });

    // Sign in by device flow, then refresh once.
    const tokens = await runDeviceFlow(
      idp,
      (code) => {
        secrets.add(code.userCode);
        void approveDeviceCode({ issuer: server.issuer, userCode: code.userCode, email: 'alice@acme.test', password: 'alice-pass' });
      },
      new AbortController().signal,
    );
    const refreshed = await idp.refresh(tokens.refreshToken!);
    for (const t of [tokens.accessToken, tokens.refreshToken, refreshed.accessToken, refreshed.refreshToken]) if (t) secrets.add(t);
    const oauth = { kind: 'oauth' as const, source: 'oauth' as const, secret: refreshed.accessToken, account: 'alice@acme.test' };

    // REST with the OAuth token and with fleet API keys (a good one and a revoked one).
    const fleets = await api.fleets(oauth);
    await api.machines(oauth, 'acme-prod', { page: 1, pageSize: 50 });
    const ciKey = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
    const oldKey = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'old-deploy')!.secret;
    const keyCredential = { kind: 'apiKey' as const, source: 'active' as const, secret: ciKey, fleetId: 'acme-prod' };
    await api.whoami(keyCredential);
    await assert.rejects(api.whoami({ ...keyCredential, secret: oldKey }), /revoked/i);

    // A shell over the relay with the key, then a fan-out over two machines with the OAuth token.
    const prod = fleets.find((f) => f.id === 'acme-prod')!;
    try {
      const keyClient = pool.get({ address: prod.relay, fleetId: prod.id, fleetName: prod.name, credential: keyCredential });
      const shell = await RemoteSession.open(keyClient, 'web-1', { cols: 80, rows: 24 });
      const exited = new Promise((resolve) => shell.onExit(resolve));
      await shell.write(Buffer.from(`echo typed-secret-${ciKey.length}; exit 0\n`));
      await exited;
      const oauthClient = pool.get({ address: prod.relay, fleetId: prod.id, fleetName: prod.name, credential: oauth });
      const run = new FanOut({
        command: 'hostname',
        targets: ['web-1', 'db-1'],
        runner: new RelaySessionRunner(oauthClient),
        concurrency: 2,
        timeoutMs: 30_000,
      });
      const results = await run.done;
      assert.deepEqual(results.map((r) => r.outcome).sort(), ['ok', 'ok']);
    } finally {
      pool.dispose();
    }
    await idp.revoke(refreshed.refreshToken!);

    const text = log.lines.join('\n');
    // A line per call, with status and duration.
    for (const expected of [
      /\[debug\] HTTP GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration → 200/,
      /\[debug\] HTTP POST http:\/\/127\.0\.0\.1:\d+\/device\/auth → 200/,
      /\[debug\] HTTP POST http:\/\/127\.0\.0\.1:\d+\/token → 200 .*\(\d+ ms\)/,
      /\[debug\] HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/fleets\/ → 200/,
      /\[debug\] HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/fleets\/acme-prod\/machines\/\?page=1&page_size=50 → 200/,
      /\[debug\] HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/whoami → 200/,
      /\[debug\] HTTP GET http:\/\/127\.0\.0\.1:\d+\/api\/whoami → 401/,
      /\[debug\] HTTP POST http:\/\/127\.0\.0\.1:\d+\/token\/revocation → 200/,
      // A session opens and streams in one call where the relay offers it (our marked extension).
      /\[debug\] gRPC \/terminal\.TerminalStreamingService\/StreamSessionOutput → OK \(\d+ ms\)/,
      /\[debug\] gRPC \/terminal\.TerminalStreamingService\/SendInput → OK/,
      /\[debug\] gRPC \/terminal\.TerminalStreamingService\/StreamSessionOutput → OK/,
      /\[trace\] HTTP POST http:\/\/127\.0\.0\.1:\d+\/token headers .*device_code=\[redacted\]/,
      /\[trace\] HTTP POST http:\/\/127\.0\.0\.1:\d+\/token headers .*refresh_token=\[redacted\]/,
      /\[trace\] gRPC \/terminal\.TerminalStreamingService\/StreamSessionOutput start, metadata .*"authorization":"\[redacted\]".*"workspace_id":"acme-prod".*"x-cmdop-agent-id":"web-1"/,
    ]) {
      assert.match(text, expected);
    }
    assert.ok(secrets.size >= 12, `the session handled secrets to look for (${secrets.size})`);
    const tapped = [...secrets].filter((s) => s.length >= 6);
    const leaked = tapped.filter((s) => text.includes(s));
    assert.deepEqual(
      leaked.map((s) => `${s.slice(0, 4)}… (${s.length} chars)`),
      [],
      'no secret in the trace log',
    );
    assert.ok(!text.includes(`typed-secret-`), 'terminal input is never logged');
  });
});
