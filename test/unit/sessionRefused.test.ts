// A session the identity provider no longer accepts (revoked, or a provider that restarted and forgot it) ends in
// every window as soon as any server refuses its token, and a sign-in then starts afresh instead of finding it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENDPOINTS } from '../../src/core/credentials/endpoints';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { NotSignedInError, SessionExpiredError } from '../../src/core/errors';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { FleetContext } from '../../src/core/fleet/fleetContext';
import type { DeviceCode, IdentityProvider } from '../../src/core/oauth/oidcClient';
import { SessionStore } from '../../src/core/oauth/sessionStore';
import { type SessionChange, TokenKeeper } from '../../src/core/oauth/tokenKeeper';
import type { TokenResponse } from '../../src/core/oauth/tokens';
import { MemoryLease, MemorySecrets, MemoryState } from './support/memory';

/** An identity provider that has either kept the session (refreshes work) or forgotten it (invalid_grant). */
class Provider implements IdentityProvider {
  forgotten = false;
  refreshes = 0;
  async startDeviceFlow(): Promise<DeviceCode> {
    throw new Error('not used');
  }
  async pollDeviceFlow(): Promise<TokenResponse> {
    throw new Error('not used');
  }
  async refresh(refreshToken: string): Promise<TokenResponse> {
    this.refreshes++;
    if (this.forgotten) throw new SessionExpiredError('the refresh token was revoked or has expired');
    return { accessToken: `access-${this.refreshes}`, refreshToken: `${refreshToken}+`, expiresInSeconds: 3600 };
  }
  async revoke(): Promise<void> {}
}

/** Two windows (keepers) sharing one SecretStorage, signed in with a token good for an hour. */
async function twoWindows() {
  const secrets = new MemorySecrets();
  const idp = new Provider();
  const election = new MemoryLease();
  const a = new TokenKeeper({ store: new SessionStore(secrets, 'dev'), idp, windowId: 'A', election });
  const b = new TokenKeeper({ store: new SessionStore(secrets, 'dev'), idp, windowId: 'B', election });
  const changes: SessionChange[] = [];
  a.onDidChange((c) => changes.push(c));
  await a.signedIn(
    {
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      expiresInSeconds: 3600,
      claims: { sub: 'u1', email: 'alice@acme.test', fleets: [{ id: 'acme-prod', name: 'Acme Production', role: 'Owner' }] },
    },
    ['openid'],
  );
  await b.reload();
  return { secrets, idp, a, b, changes };
}

describe('a session the identity provider refuses', () => {
  it('a server refusing the token asks the provider once; a refused refresh signs out every window', async () => {
    const t = await twoWindows();
    t.idp.forgotten = true;
    assert.equal(await t.a.serverRefused('access-0'), undefined);
    assert.equal(t.idp.refreshes, 1);
    assert.equal(t.changes.at(-1)?.reason, 'expired');
    await t.b.reload();
    assert.equal(await t.b.peek(), undefined, 'the other window is signed out too');
    assert.equal(await t.a.serverRefused('access-0'), undefined, 'a late report changes nothing');
    assert.equal(t.idp.refreshes, 1);
  });

  it('a session the provider still has goes on with a new access token (only the access token was refused)', async () => {
    const t = await twoWindows();
    assert.equal((await t.a.serverRefused('access-0'))?.accessToken, 'access-1');
    await t.b.reload();
    assert.equal((await t.b.peek())?.accessToken, 'access-1');
  });

  it('Sign In checks the stored session first: a dead one is cleared, so the device flow starts', async () => {
    const t = await twoWindows();
    t.idp.forgotten = true;
    assert.equal(await t.a.verify(), undefined);
    assert.equal(await t.a.peek(), undefined);
    assert.equal(await t.a.verify(), undefined, 'signed out: nothing to check');
    assert.equal(t.idp.refreshes, 1);
    t.idp.forgotten = false;
  });

  it(
    'an HTTP 401 for the OAuth token anywhere (a tree refresh) ends the session: the status bar says signed out',
    { timeout: 10_000 },
    async () => {
      const t = await twoWindows();
      const refusing = (async () =>
        new Response(JSON.stringify({ detail: 'token revoked' }), {
          status: 401,
          headers: { 'content-type': 'application/json' },
        })) as typeof fetch;
      const api = new FleetApi('http://api.test', refusing);
      const state = new MemoryState();
      const fleets = new FleetContext({
        mode: 'dev',
        endpoints: DEFAULT_ENDPOINTS.dev,
        env: {},
        settingFleet: () => undefined,
        state,
        keys: new FleetKeyStore(t.secrets, state),
        legacy: { importOnce: async () => undefined } as never,
        keeper: t.a,
        api,
      });
      const credentials: string[] = [];
      fleets.onDidChange((change) => credentials.push(change));
      t.idp.forgotten = true;
      const signedOut = new Promise<void>((resolve) => t.a.onDidChange((c) => c.reason === 'expired' && resolve()));
      await assert.rejects(
        api.machines({ kind: 'oauth', source: 'oauth', secret: 'access-0', account: 'alice' }, 'acme-prod', { page: 1, pageSize: 50 }),
      );
      await signedOut;
      assert.ok(credentials.includes('credentials'), 'the status bar and tree are told');
      await assert.rejects(fleets.current(), NotSignedInError);
    },
  );

  it('a refused API key never touches the OAuth session', async () => {
    const t = await twoWindows();
    const refusing = (async () => new Response('{"detail":"key revoked"}', { status: 401 })) as typeof fetch;
    const api = new FleetApi('http://api.test', refusing);
    const state = new MemoryState();
    new FleetContext({
      mode: 'dev',
      endpoints: DEFAULT_ENDPOINTS.dev,
      env: {},
      settingFleet: () => undefined,
      state,
      keys: new FleetKeyStore(t.secrets, state),
      legacy: { importOnce: async () => undefined } as never,
      keeper: t.a,
      api,
    });
    await assert.rejects(api.whoami({ kind: 'apiKey', source: 'active', secret: 'cmdop_x' }));
    assert.equal(t.idp.refreshes, 0);
    assert.equal((await t.a.peek())?.accessToken, 'access-0');
  });
});
