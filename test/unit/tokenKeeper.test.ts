import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionExpiredError } from '../../src/core/errors';
import type { DeviceCode, IdentityProvider } from '../../src/core/oauth/oidcClient';
import { SessionStore } from '../../src/core/oauth/sessionStore';
import { keepSessionFresh } from '../../src/core/oauth/refreshScheduler';
import { REFRESH_MARGIN_MS, type RefreshElection, type SessionChange, TokenKeeper } from '../../src/core/oauth/tokenKeeper';
import type { TokenResponse } from '../../src/core/oauth/tokens';
import { MemoryLease, MemorySecrets } from './support/memory';

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
  const keeper = new TokenKeeper({ store, idp, now: () => now, election: new MemoryLease() });
  const changes: SessionChange[] = [];
  keeper.onDidChange((c) => changes.push(c));
  await keeper.signedIn(
    {
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      expiresInSeconds: expiresInMs / 1000,
      claims: { sub: 'u1', email: 'alice@acme.test', fleets: [{ id: 'f1', name: 'acme-prod', role: 'Owner' }] },
    },
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
    assert.deepEqual(
      refreshed?.fleets.map((f) => f.name),
      ['acme-prod'],
    );
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
    const keeper = new TokenKeeper({ store, idp, election: new MemoryLease() });
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

/**
 * An IdP that rotates refresh tokens like oidc-provider: each refresh token works once; using a consumed one
 * is refused (invalid_grant).
 */
class RotatingIdp extends CountingIdp {
  private readonly live = new Set(['refresh-0']);
  refused = 0;
  override async refresh(refreshToken: string): Promise<TokenResponse> {
    this.refreshes++;
    if (this.gate) await this.gate;
    if (!this.live.delete(refreshToken)) {
      this.refused++;
      throw new SessionExpiredError('the refresh token was revoked or has expired');
    }
    const next = `refresh-${this.refreshes}`;
    this.live.add(next);
    return { accessToken: `access-${this.refreshes}`, refreshToken: next, expiresInSeconds: 3600 };
  }
}

/** Two windows: two keepers on one shared SecretStorage and one IdP, with a shared fake clock. */
async function twoWindows(options: { storeB?: SessionStore } = {}) {
  let now = 1_000_000;
  const secrets = new MemorySecrets();
  const idp = new RotatingIdp();
  const election = new MemoryLease();
  const make = (id: string, store = new SessionStore(secrets, 'dev')) => {
    const keeper = new TokenKeeper({ store, idp, now: () => now, windowId: id, election, peerWaitMs: 2000 });
    const changes: SessionChange[] = [];
    keeper.onDidChange((c) => changes.push(c));
    return { keeper, changes };
  };
  const a = make('A');
  const b = make('B', options.storeB);
  // Each window has looked at storage once (its status bar does at start), while still signed out.
  await Promise.all([a.keeper.peek(), b.keeper.peek()]);
  return { a, b, idp, secrets, election, advance: (ms: number) => (now += ms) };
}

const signIn = (keeper: TokenKeeper) =>
  keeper.signedIn(
    { accessToken: 'access-0', refreshToken: 'refresh-0', expiresInSeconds: 3600, claims: { sub: 'u1', email: 'alice@acme.test' } },
    ['openid'],
  );

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
};

describe('token keeper across windows sharing one SecretStorage', () => {
  it('a sign-in, refresh and sign-out in one window reach the other without asking the IdP', async () => {
    const w = await twoWindows();
    assert.equal(await w.b.keeper.session(), undefined);
    await signIn(w.a.keeper);
    await until('B to see the sign-in', () => w.b.changes.some((c) => c.reason === 'signedIn'));
    assert.equal((await w.b.keeper.peek())?.accessToken, 'access-0');
    assert.equal(w.b.changes[0].external, true);

    w.advance(3600_000);
    await w.a.keeper.session();
    await until('B to see the refresh', () => w.b.changes.some((c) => c.reason === 'refreshed'));
    assert.equal((await w.b.keeper.session())?.accessToken, 'access-1', 'B uses the token A stored');
    assert.equal(w.idp.refreshes, 1);

    await w.a.keeper.signOut();
    await until('B to see the sign-out', () => w.b.changes.some((c) => c.reason === 'signedOut'));
    assert.equal(await w.b.keeper.session(), undefined);
    assert.equal(w.b.changes.at(-1)?.previous?.accessToken, 'access-1', 'B knows which session went away');
  });

  it('two windows due at the same moment refresh once; both end up with the same session', async () => {
    const w = await twoWindows();
    await signIn(w.a.keeper);
    await until('B to follow', () => w.b.changes.length > 0);
    w.advance(3600_000);
    const [fromA, fromB] = await Promise.all([w.a.keeper.session(), w.b.keeper.session()]);
    assert.equal(w.idp.refreshes, 1, 'one refresh for one rotation');
    assert.equal(w.idp.refused, 0);
    assert.equal(fromA?.accessToken, 'access-1');
    assert.equal(fromB?.accessToken, 'access-1');
    assert.ok(w.secrets.values.has('cmdop.oauth.dev'));
    assert.equal(w.election.holder, undefined, 'the lease is given back');
  });

  it('a window that slept through a rotation re-reads storage instead of refreshing the old token', async () => {
    const w = await twoWindows();
    await signIn(w.a.keeper);
    await until('B to follow', () => w.b.changes.length > 0);
    // B misses the change event (e.g. its extension host was suspended): its memory still holds refresh-0.
    w.b.keeper.dispose();
    w.advance(3600_000);
    await w.a.keeper.session();
    const fromB = await w.b.keeper.session();
    assert.equal(fromB?.accessToken, 'access-1');
    assert.equal(w.idp.refreshes, 1);
  });

  it('a refused refresh reads storage again and continues with what the other window stored', async () => {
    // B's election is broken (say, storage that propagates slowly): it always believes it won.
    const alwaysWins: RefreshElection = { claim: async () => true, release: async () => {} };
    const secrets = new MemorySecrets();
    const idp = new RotatingIdp();
    const now = () => 1_000_000 + 3600_000;
    const a = new TokenKeeper({ store: new SessionStore(secrets, 'dev'), idp, now, windowId: 'A', election: new MemoryLease() });
    const b = new TokenKeeper({ store: new SessionStore(secrets, 'dev'), idp, now, windowId: 'B', election: alwaysWins });
    const bChanges: SessionChange[] = [];
    b.onDidChange((c) => bChanges.push(c));
    const w = { idp };
    await new SessionStore(secrets, 'dev').save({
      id: 's',
      account: { id: 'u1', label: 'alice' },
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      expiresAt: 1_000_000,
      scopes: [],
      fleets: [],
    });
    await b.peek();
    // A refreshes while B's refresh request is in flight with the same (now consumed) token.
    w.idp.gate = new Promise((r) => (w.idp.release = r));
    const fromB = b.session();
    await until('B to send its refresh', () => w.idp.refreshes === 1);
    w.idp.gate = undefined;
    const fromA = await a.session();
    w.idp.release!();
    // Both requests carried refresh-0: whichever came second was refused; neither window signed out.
    const sessionB = await fromB;
    assert.equal(w.idp.refused, 1);
    assert.ok(sessionB?.accessToken.startsWith('access-'), 'B continues with the stored session');
    assert.ok(!bChanges.some((c) => c.reason === 'expired'), 'B did not conclude the session was over');
    assert.ok(await new SessionStore(secrets, 'dev').load(), 'the shared entry survives');
    assert.ok(fromA);
  });

  it('only a session that is really dead signs out, and then the shared entry is cleared', async () => {
    const w = await twoWindows();
    await signIn(w.a.keeper);
    await until('B to follow', () => w.b.changes.length > 0);
    w.advance(3600_000);
    w.idp.refuse = true;
    (w.idp as { refresh: IdentityProvider['refresh'] }).refresh = async () => {
      w.idp.refreshes++;
      throw new SessionExpiredError('the refresh token was revoked or has expired');
    };
    await assert.rejects(w.a.keeper.session(), /session ended \(the refresh token was revoked or has expired\)/);
    assert.equal(w.a.changes.at(-1)?.reason, 'expired');
    assert.equal(
      w.a.changes.at(-1)?.detail,
      'the refresh token was revoked or has expired',
      'the detail is the bare cause, not a whole sentence',
    );
    await until('B to see the sign-out', () => w.b.changes.some((c) => c.reason === 'signedOut'));
    assert.equal(w.secrets.values.has('cmdop.oauth.dev'), false);
  });
});

describe('token keeper: a token the server refused before its time', () => {
  it('is refreshed once on the first report; later reports of the same old token change nothing', async () => {
    const t = await setup(HOUR);
    const renewed = await t.keeper.renewRejected('access-0');
    assert.equal(renewed?.accessToken, 'access-1');
    assert.equal(t.idp.refreshes, 1);
    assert.equal((await t.keeper.renewRejected('access-0'))?.accessToken, 'access-1');
    assert.equal((await t.keeper.session())?.accessToken, 'access-1');
    assert.equal(t.idp.refreshes, 1);
  });
});

describe('token keeper: a window whose storage lags behind (code-server pages)', () => {
  it("never sends a refresh token another window already used; it waits for that window's session instead", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileLease } = await import('../../src/core/oauth/fileLease');
    const lease = new FileLease(join(mkdtempSync(join(tmpdir(), 'lease-')), 'refresh-dev.lock'));
    const idp = new RotatingIdp();
    const now = () => 1_000_000 + 3600_000;
    const stale = JSON.stringify({
      id: 's',
      account: { id: 'u1', label: 'alice' },
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      expiresAt: 1_000_000 + 3600_000 + 60_000,
      scopes: [],
      fleets: [],
    });
    const [secretsA, secretsB] = [new MemorySecrets(), new MemorySecrets()];
    await secretsA.store('cmdop.oauth.dev', stale);
    await secretsB.store('cmdop.oauth.dev', stale);
    const a = new TokenKeeper({ store: new SessionStore(secretsA, 'dev'), idp, now, windowId: 'A', election: lease });
    const b = new TokenKeeper({ store: new SessionStore(secretsB, 'dev'), idp, now, windowId: 'B', election: lease, peerWaitMs: 300 });
    assert.equal((await a.session())?.accessToken, 'access-1');
    // B has not heard of A's refresh yet: it keeps its still-valid token rather than reuse refresh-0.
    assert.equal((await b.session())?.accessToken, 'access-0');
    assert.equal(idp.refused, 0);
    assert.equal(idp.refreshes, 1);
    // A's session arrives: B takes it without asking the IdP.
    const adopted = new Promise((resolve) => b.onDidChange(resolve));
    await secretsB.store('cmdop.oauth.dev', (await secretsA.get('cmdop.oauth.dev'))!);
    await adopted;
    assert.equal((await b.session())?.accessToken, 'access-1');
    assert.equal(idp.refreshes, 1);
  });
});
