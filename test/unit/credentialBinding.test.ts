// A credential belongs to the endpoints it was issued for: after cmdop.mode or cmdop.endpoints change it is
// never sent to the new hosts, and loopback is an address, not a name that starts with "127.".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsFingerprint } from '../../src/core/credentials/endpoints';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { resolveCredential } from '../../src/core/credentials/resolver';
import { CredentialForOtherEndpointsError, InvalidApiKeyFormatError } from '../../src/core/errors';
import { isLoopback } from '../../src/core/network/loopback';
import { SessionStore } from '../../src/core/oauth/sessionStore';
import type { OAuthSession } from '../../src/core/oauth/tokens';
import { MemorySecrets, MemoryState } from './support/memory';

const SECRET = 'cmdop_' + 'k'.repeat(24);
const local = endpointsFingerprint('dev', { issuer: 'http://127.0.0.1:4400', api: 'http://127.0.0.1:4401', relay: '127.0.0.1:4402' });
const elsewhere = endpointsFingerprint('dev', {
  issuer: 'https://idp.evil.test',
  api: 'https://api.evil.test',
  relay: 'relay.evil.test:443',
});

function sourcesFor(keys: FleetKeyStore, boundTo: string, oauth = false) {
  return {
    env: {},
    settingFleet: () => undefined,
    activeFleetId: () => 'acme-prod',
    keys,
    legacy: { importOnce: async () => undefined },
    oauth: { session: async () => (oauth ? { accessToken: 'oauth-token', account: 'alice', fleetIds: ['acme-prod'] } : undefined) },
    boundTo,
    keyFleet: async () => 'acme-prod',
  };
}

async function storeWithKey(boundTo: string | undefined) {
  const keys = new FleetKeyStore(new MemorySecrets(), new MemoryState(), boundTo);
  await keys.save({ fleetId: 'acme-prod', fleetName: 'Acme Production', keyName: 'ci', addedAt: '' }, SECRET);
  return keys;
}

describe('credentials are bound to the endpoints they were added for', () => {
  it('a key added for the local endpoints is used there', async () => {
    const r = await resolveCredential(sourcesFor(await storeWithKey(local), local));
    assert.equal(r.credential.secret, SECRET);
  });

  it('after the endpoints change the key is not sent, and the error says to add it again or sign in', async () => {
    const keys = await storeWithKey(local);
    await assert.rejects(resolveCredential(sourcesFor(keys, elsewhere)), (err: Error) => {
      assert.ok(err instanceof CredentialForOtherEndpointsError);
      assert.match(err.message, /Acme Production.*other CMDOP endpoints.*Add Fleet API Key.*Sign In/s);
      assert.doesNotMatch(err.message, new RegExp(SECRET));
      return true;
    });
  });

  it('an OAuth session still resolves when the only key was added elsewhere', async () => {
    const r = await resolveCredential(sourcesFor(await storeWithKey(local), elsewhere, true));
    assert.equal(r.credential.source, 'oauth');
    assert.ok(r.skipped.some((line) => /other endpoints/.test(line)));
  });

  it('a key stored before endpoints were recorded is adopted for the current ones', async () => {
    const r = await resolveCredential(sourcesFor(await storeWithKey(undefined), elsewhere));
    assert.equal(r.credential.secret, SECRET);
  });

  it('a mode switch is a change of endpoints too', () => {
    const ends = { issuer: 'http://127.0.0.1:4400', api: 'http://127.0.0.1:4401', relay: '127.0.0.1:4402' };
    assert.notEqual(endpointsFingerprint('dev', ends), endpointsFingerprint('prod', ends));
  });

  it('an OAuth session signed in against other endpoints is not loaded (signed out here), and is kept for them', async () => {
    const secrets = new MemorySecrets();
    const session: OAuthSession = {
      id: 's1',
      account: { id: 'u1', label: 'alice' },
      accessToken: 'at',
      refreshToken: 'rt',
      expiresAt: Date.now() + 3_600_000,
      scopes: [],
      fleets: [],
    };
    await new SessionStore(secrets, 'dev', local).save(session);
    assert.equal(await new SessionStore(secrets, 'dev', elsewhere).load(), undefined);
    assert.equal((await new SessionStore(secrets, 'dev', local).load())?.accessToken, 'at');
  });

  it('a CMDOP_API_KEY that is not a key is refused before anything is sent, naming the variable', async () => {
    let asked = 0;
    const sources = { ...sourcesFor(await storeWithKey(local), local), env: { CMDOP_API_KEY: 'not-a-key' } };
    sources.keyFleet = async () => (asked++, 'acme-prod');
    await assert.rejects(resolveCredential(sources, { fleetId: 'acme-prod' }), (err: Error) => {
      assert.ok(err instanceof InvalidApiKeyFormatError);
      assert.match(err.message, /CMDOP_API_KEY/);
      return true;
    });
    assert.equal(asked, 0);
  });
});

describe('loopback', () => {
  it('is 127.0.0.0/8, ::1 and localhost as addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.ok(isLoopback(host), host);
  });
  it('is not a name that starts with 127.', () => {
    for (const host of ['127.evil.com', '127.0.0.1.evil.com', '127.0.0.256', 'localhost.evil.com', '10.0.0.1', 'fleet.localhost']) {
      assert.ok(!isLoopback(host), host);
    }
  });
});
