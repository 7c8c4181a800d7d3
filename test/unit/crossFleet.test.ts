import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CrossFleetCredentialError } from '../../src/core/errors';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { RelayClient } from '../../src/core/relay/relayClient';
import { resolveCredential } from '../../src/core/credentials/resolver';
import { MemorySecrets, MemoryState } from './support/memory';
import { type RecordedCall, startRecordingRelay } from './support/recordingRelay';

const KEY_A = 'cmdop_fleetAkeyAAAAAAAAAAAAAAAAAAAAAA';

describe("a fleet's key goes only to that fleet's server", () => {
  let relayA: Awaited<ReturnType<typeof startRecordingRelay>>;
  let relayB: Awaited<ReturnType<typeof startRecordingRelay>>;
  before(async () => {
    relayA = await startRecordingRelay();
    relayB = await startRecordingRelay();
  });
  after(async () => {
    await relayA.close();
    await relayB.close();
  });

  async function sources(oauthFleets: string[] | undefined) {
    const keys = new FleetKeyStore(new MemorySecrets(), new MemoryState());
    await keys.save({ fleetId: 'fleet-a', fleetName: 'acme-prod', keyName: 'ci', relay: relayA.address, addedAt: '' }, KEY_A);
    return {
      env: {},
      settingFleet: () => undefined,
      activeFleetId: () => 'fleet-b',
      keys,
      legacy: { importOnce: async () => undefined },
      oauth: {
        session: async () =>
          oauthFleets ? { accessToken: 'oauth-access-token', account: 'alice@acme.test', fleetIds: oauthFleets } : undefined,
      },
      keyFleet: async () => 'fleet-a',
    };
  }

  const sawKeyA = (calls: RecordedCall[]) => calls.some((c) => c.authorization?.includes(KEY_A));

  it("with fleet B active on its own relay, calls to B carry the OAuth token and B's id, never A's key", async () => {
    const { credential } = await resolveCredential(await sources(['fleet-b']), { fleetId: 'fleet-b' });
    const client = new RelayClient({ address: relayB.address, fleetId: 'fleet-b', fleetName: 'acme-staging', credential });
    try {
      await client.health();
    } finally {
      client.close();
    }
    assert.equal(relayB.calls.length, 1);
    assert.equal(relayB.calls[0].authorization, 'Bearer oauth-access-token');
    assert.equal(relayB.calls[0].workspaceId, 'fleet-b');
    assert.equal(sawKeyA(relayB.calls), false);
    assert.equal(relayA.calls.length, 0, "fleet A's server is not contacted for fleet B");
  });

  it("A's key aimed at B is refused before a byte is sent", async () => {
    const before = relayB.calls.length;
    assert.throws(
      () =>
        new RelayClient({
          address: relayB.address,
          fleetId: 'fleet-b',
          fleetName: 'acme-staging',
          credential: { kind: 'apiKey', source: 'active', secret: KEY_A, fleetId: 'fleet-a' },
        }),
      (err: Error) => err instanceof CrossFleetCredentialError && !err.message.includes(KEY_A),
    );
    assert.equal(relayB.calls.length, before);
  });

  it("A's key still reaches A's own relay, with A's id", async () => {
    const { credential } = await resolveCredential(await sources(undefined), { fleetId: 'fleet-a' });
    const client = new RelayClient({ address: relayA.address, fleetId: 'fleet-a', fleetName: 'acme-prod', credential });
    try {
      await client.health();
    } finally {
      client.close();
    }
    assert.equal(relayA.calls.at(-1)?.authorization, `Bearer ${KEY_A}`);
    assert.equal(relayA.calls.at(-1)?.workspaceId, 'fleet-a');
  });

  it('a long-lived client sends the current OAuth token on each call, so a refresh mid-session is picked up', async () => {
    let token = 'token-1';
    const client = new RelayClient({
      address: relayB.address,
      fleetId: 'fleet-b',
      fleetName: 'acme-staging',
      credential: { kind: 'oauth', source: 'oauth', secret: token, account: 'alice@acme.test' },
      currentCredential: async () => ({ kind: 'oauth', source: 'oauth', secret: token, account: 'alice@acme.test' }),
    });
    try {
      await client.health();
      token = 'token-2';
      await client.health();
    } finally {
      client.close();
    }
    assert.deepEqual(
      relayB.calls.slice(-2).map((c) => c.authorization),
      ['Bearer token-1', 'Bearer token-2'],
    );
  });

  it("a credential that turns into another fleet's key mid-session is refused before sending", async () => {
    const before = relayB.calls.length;
    const client = new RelayClient({
      address: relayB.address,
      fleetId: 'fleet-b',
      fleetName: 'acme-staging',
      credential: { kind: 'oauth', source: 'oauth', secret: 'token', account: 'alice@acme.test' },
      currentCredential: async () => ({ kind: 'apiKey', source: 'active', secret: KEY_A, fleetId: 'fleet-a' }),
    });
    try {
      await assert.rejects(client.health(), CrossFleetCredentialError);
    } finally {
      client.close();
    }
    assert.equal(relayB.calls.length, before);
  });
});
