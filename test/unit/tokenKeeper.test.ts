import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionExpiredError } from '../../src/core/errors';
import type { DeviceCode, IdentityProvider } from '../../src/core/oauth/oidcClient';
import { SessionStore } from '../../src/core/oauth/sessionStore';
import { keepSessionFresh } from '../../src/core/oauth/refreshScheduler';
import { REFRESH_MARGIN_MS, type SessionChange, TokenKeeper } from '../../src/core/oauth/tokenKeeper';
import type { TokenResponse } from '../../src/core/oauth/tokens';
import { MemorySecrets } from './support/memory';

/** Stand-in IdP for unit tests: counts refreshes and can be told to refuse them. The real IdP is exercised by the protocol and e2e tests. */
class CountingIdp implements IdentityProvider {
  refreshes = 0;
  revoked: string[] = [];
  refuse = false;
  release: (() => void) | undefined;
  gate: Promise<void> | undefined;

  async startDeviceFlow(): Promise<DeviceCode> {
    throw new Error('not used');
  }
  async pollDeviceFlow(): Promise<TokenResponse> {
    throw new Error('not used');
  }
  async refresh(refreshToken: string): Promise<TokenResponse> {
    this.refreshes++;
    if (this.gate) await this.gate;
    if (this.refuse) throw new SessionExpiredError('the refresh token was revoked or has expired');
    return { accessToken: `access-${this.refreshes}`, refreshToken: `${refreshToken}+`, expiresInSeconds: 3600 };
  }
  async revoke(token: string) {
    this.revoked.push(token);
  }
}

const HOUR = 3600_000;

async function setup(expiresInMs: number) {
  let now = 1_000_000;
  const secrets = new MemorySecrets();
  const store = new SessionStore(secrets, 'dev');
  const idp = new CountingIdp();
  const keeper = new TokenKeeper({ store, idp, now: () => now });
  const changes: SessionChange[] = [];
  keeper.onDidChange((c) => changes.push(c));
  await keeper.signedIn(
    { accessToken: 'access-0', refreshToken: 'refresh-0', expiresInSeconds: expiresInMs / 1000, claims: { sub: 'u1', email: 'alice@acme.test', fleets: [{ id: 'f1', name: 'acme-prod', role: 'Owner' }] } },
    ['openid'],
  );
  return { keeper, idp, store, secrets, changes, advance: (ms: number) => (now += ms) };
}

describe('token keeper', () => {
  it('keeps using the access token until 5 minutes before expiry, then refreshes', async () => {
    const t = await setup(HOUR);
    t.advance(HOUR - REFRESH_MARGIN_MS - 1000);
    assert.equal((await t.keeper.session())?.accessToken, 'access-0');
    assert.equal(t.idp.refreshes, 0);

    t.advance(2000);
    const refreshed = await t.keeper.session();
    assert.equal(refreshed?.accessToken, 'access-1');
    assert.equal(t.idp.refreshes, 1);
    assert.equal(refreshed?.account.label, 'alice@acme.test', 'identity survives a refresh without an id token');
    assert.deepEqual(refreshed?.fleets.map((f) => f.name), ['acme-prod']);
    assert.equal((await t.store.load())?.accessToken, 'access-1', 'the refreshed token is persisted');
  });

  it('many concurrent callers trigger exactly one refresh', async () => {
    const t = await setup(HOUR);
    t.advance(HOUR);
    t.idp.gate = new Promise((r) => (t.idp.release = r));
    const callers = Array.from({ length: 25 }, () => t.keeper.session());
    await new Promise((r) => setImmediate(r));
    t.idp.release!();
    const results = await Promise.all(callers);
    assert.equal(t.idp.refreshes, 1);
    assert.ok(results.every((s) => s?.accessToken === 'access-1'));
  });

  it('a revoked refresh token removes the session and tells listeners it expired', async () => {
    const t = await setup(HOUR);
    t.advance(HOUR);
    t.idp.refuse = true;
    await assert.rejects(t.keeper.session(), SessionExpiredError);
    assert.equal(await t.keeper.session(), undefined);
    assert.equal(await t.store.load(), undefined);
    assert.equal(t.changes.at(-1)?.reason, 'expired');
  });

  it('sign-out revokes both tokens at the IdP and forgets the session', async () => {
    const t = await setup(HOUR);
    await t.keeper.signOut();
    assert.deepEqual(t.idp.revoked.sort(), ['access-0', 'refresh-0']);
    assert.equal(t.secrets.values.size, 0);
    assert.equal(t.changes.at(-1)?.reason, 'signedOut');
  });

  it('sessions of different modes are stored apart', async () => {
    const secrets = new MemorySecrets();
    const prod = new SessionStore(secrets, 'prod');
    const dev = new SessionStore(secrets, 'dev');
    await dev.save({ id: 'd', account: { id: 'u', label: 'u' }, accessToken: 'dev-token', expiresAt: 0, scopes: [], fleets: [] });
    assert.equal(await prod.load(), undefined);
    assert.equal((await dev.load())?.accessToken, 'dev-token');
  });

  it('refreshes on its own when the token enters the 5-minute window, with no caller asking', async () => {
    const store = new SessionStore(new MemorySecrets(), 'dev');
    const idp = new CountingIdp();
    const keeper = new TokenKeeper({ store, idp });
    await keeper.signedIn({ accessToken: 'a0', refreshToken: 'r0', expiresInSeconds: (REFRESH_MARGIN_MS + 100) / 1000 }, []);
    const refreshed = new Promise<SessionChange>((resolve) => keeper.onDidChange((c) => c.reason === 'refreshed' && resolve(c)));
    const fresh = keepSessionFresh(keeper);
    // The scheduler's timer is unref'd so it never holds a process open; hold this test open instead.
    const hold = setTimeout(() => assert.fail('no refresh within 5 s'), 5000);
    try {
      const change = await refreshed;
      assert.equal(change.session?.accessToken, 'access-1');
      assert.equal(idp.refreshes, 1);
    } finally {
      clearTimeout(hold);
      fresh.dispose();
    }
  });
});
