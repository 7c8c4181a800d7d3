import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { type ResolverSources, resolveCredential } from '../../src/core/credentials/resolver';
import { InvalidApiKeyFormatError, NoCredentialForFleetError, NotSignedInError } from '../../src/core/errors';
import { MemorySecrets, MemoryState } from './support/memory';

const KEY = (name: string) => `cmdop_${name.padEnd(24, 'x')}`;

interface Setup {
  env?: string;
  setting?: string;
  active?: string;
  stored?: Record<string, string>;
  legacy?: { fleetId: string; secret: string };
  oauth?: string[];
  keyFleets?: Record<string, string>;
}

async function sources(setup: Setup): Promise<ResolverSources & { legacyCalls: number }> {
  const keys = new FleetKeyStore(new MemorySecrets(), new MemoryState());
  for (const [fleetId, secret] of Object.entries(setup.stored ?? {})) {
    await keys.save({ fleetId, fleetName: `${fleetId}-name`, keyName: 'k', addedAt: '' }, secret);
  }
  const s = {
    legacyCalls: 0,
    env: { CMDOP_API_KEY: setup.env },
    settingFleet: () => setup.setting,
    activeFleetId: () => setup.active,
    keys,
    legacy: {
      importOnce: async () => {
        s.legacyCalls++;
        return setup.legacy;
      },
    },
    oauth: {
      session: async () => (setup.oauth ? { accessToken: 'oauth-token', account: 'alice@acme.test', fleetIds: setup.oauth } : undefined),
    },
    keyFleet: async (secret: string) => setup.keyFleets?.[secret] ?? 'unknown-fleet',
  };
  return s;
}

const everything: Setup = {
  env: KEY('env'),
  setting: 'f-setting',
  active: 'f-active',
  stored: { 'f-setting': KEY('setting'), 'f-active': KEY('active') },
  legacy: { fleetId: 'f-legacy', secret: KEY('legacy') },
  oauth: ['f-active', 'f-setting'],
};

describe('credential resolver', () => {
  it('an explicit key beats everything else', async () => {
    const r = await resolveCredential(await sources(everything), { explicitKey: KEY('explicit') });
    assert.equal(r.credential.source, 'explicit');
    assert.equal(r.credential.secret, KEY('explicit'));
  });

  it('CMDOP_API_KEY wins when no explicit key is passed', async () => {
    const r = await resolveCredential(await sources(everything));
    assert.equal(r.credential.source, 'env');
    assert.equal(r.credential.secret, KEY('env'));
  });

  it('the fleet named in cmdop.fleet wins over the active fleet', async () => {
    const r = await resolveCredential(await sources({ ...everything, env: undefined }));
    assert.equal(r.credential.source, 'setting');
    assert.equal(r.credential.secret, KEY('setting'));
  });

  it('the setting may name the fleet by name, not only id', async () => {
    const r = await resolveCredential(await sources({ ...everything, env: undefined, setting: 'F-SETTING-name' }));
    assert.equal(r.credential.source, 'setting');
  });

  it('falls through a setting whose fleet has no stored key to the active fleet', async () => {
    const r = await resolveCredential(await sources({ ...everything, env: undefined, setting: 'nowhere' }));
    assert.equal(r.credential.source, 'active');
    assert.equal(r.credential.secret, KEY('active'));
    assert.ok(r.skipped.some((s) => s.includes('nowhere')));
  });

  it('uses the legacy import only when no stored key applies, and then OAuth', async () => {
    const s = await sources({ legacy: everything.legacy, oauth: ['f-x'] });
    const r = await resolveCredential(s);
    assert.equal(r.credential.source, 'legacy');
    assert.equal(s.legacyCalls, 1);

    const noLegacy = await sources({ oauth: ['f-x'] });
    const o = await resolveCredential(noLegacy);
    assert.equal(o.credential.source, 'oauth');
    assert.equal(o.credential.secret, 'oauth-token');
    assert.equal(noLegacy.legacyCalls, 1);
  });

  it('does not run the legacy import when a stored key already wins', async () => {
    const s = await sources({ ...everything, env: undefined });
    await resolveCredential(s);
    assert.equal(s.legacyCalls, 0);
  });

  it('says "not signed in" when nothing is available', async () => {
    await assert.rejects(resolveCredential(await sources({})), NotSignedInError);
  });

  it('rejects a malformed env key, naming CMDOP_API_KEY, instead of falling through silently', async () => {
    await assert.rejects(resolveCredential(await sources({ env: 'not-a-key', oauth: ['f'] })), (err: Error) => {
      assert.ok(err instanceof InvalidApiKeyFormatError);
      assert.match(err.message, /CMDOP_API_KEY/);
      assert.doesNotMatch(err.message, /not-a-key/);
      return true;
    });
  });

  it('an empty CMDOP_API_KEY counts as unset', async () => {
    const r = await resolveCredential(await sources({ env: '   ', oauth: ['f'] }));
    assert.equal(r.credential.source, 'oauth');
  });

  describe('for a given fleet', () => {
    it("skips an env key bound to another fleet and uses that fleet's stored key", async () => {
      const r = await resolveCredential(
        await sources({ env: KEY('env'), keyFleets: { [KEY('env')]: 'fleet-a' }, stored: { 'fleet-b': KEY('b') } }),
        { fleetId: 'fleet-b' },
      );
      assert.equal(r.credential.source, 'active');
      assert.equal(r.credential.secret, KEY('b'));
    });

    it("never hands fleet A's stored key to fleet B: falls back to OAuth membership", async () => {
      const r = await resolveCredential(await sources({ active: 'fleet-a', stored: { 'fleet-a': KEY('a') }, oauth: ['fleet-b'] }), {
        fleetId: 'fleet-b',
      });
      assert.equal(r.credential.kind, 'oauth');
      assert.notEqual(r.credential.secret, KEY('a'));
    });

    it('refuses OAuth for a fleet the user is not a member of, naming the fleet', async () => {
      await assert.rejects(
        resolveCredential(await sources({ stored: { 'fleet-a': KEY('a') }, oauth: ['fleet-a'] }), { fleetId: 'fleet-b' }),
        (err: Error) => err instanceof NoCredentialForFleetError && /fleet-b/.test(err.message),
      );
    });

    it('uses an env key whose fleet matches', async () => {
      const r = await resolveCredential(await sources({ env: KEY('env'), keyFleets: { [KEY('env')]: 'fleet-a' } }), { fleetId: 'fleet-a' });
      assert.equal(r.credential.source, 'env');
    });
  });
});
