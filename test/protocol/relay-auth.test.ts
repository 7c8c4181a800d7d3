import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey, signIn } from './support/fleetHelpers';
import { call, expectStatus, grpc, relayClient, type RelayClient } from './support/relayClient';

describe('relay authentication and fleet isolation', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let stagingRelay: RelayClient;
  let ciDeploy: string;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.defaultRelay);
    stagingRelay = relayClient(server.relays['acme-staging']);
    ciDeploy = seededKey(server, 'acme-prod', 'ci-deploy');
  });
  after(async () => {
    relay?.close();
    stagingRelay?.close();
    await server?.close();
  });

  it('serves a key in its own fleet', async () => {
    const health = await call(relay, 'HealthCheck', {}, { token: ciDeploy, fleet: 'acme-prod' });
    assert.equal(health.healthy, true);
    assert.equal(health.connected_clients, 2, 'web-1 and db-1 have agents');
  });

  it('refuses a key of fleet A on fleet B with PERMISSION_DENIED', async () => {
    await expectStatus(
      call(relay, 'ListSessions', {}, { token: ciDeploy, fleet: 'partner-lab' }),
      grpc.status.PERMISSION_DENIED,
      /API key "ci-deploy" belongs to fleet acme-prod and cannot be used for fleet partner-lab/,
    );
    const labBot = seededKey(server, 'partner-lab', 'lab-bot');
    await expectStatus(
      call(relay, 'CreateSession', { command: 'true' }, { token: labBot, fleet: 'acme-prod', agent: 'web-1' }),
      grpc.status.PERMISSION_DENIED,
      /lab-bot/,
    );
  });

  it('takes the fleet from the credential when workspace_id is left out, and requires it when the credential does not settle it', async () => {
    // An API key belongs to one fleet (the SDK sends no workspace_id).
    const listed = await call(relay, 'ListSessions', {}, { token: ciDeploy });
    assert.equal(listed.workspace_name, 'Acme Production');
    // A user of one fleet: Gus is a Guest of partner-lab only.
    const gus = (await signIn(server, 'gus@partner.test', 'gus-pass')).tokens.access_token;
    assert.equal((await call(relay, 'ListSessions', {}, { token: gus })).workspace_name, 'Partner Lab');
    // Alice is in three fleets: she must say which.
    const alice = (await signIn(server, 'alice@acme.test', 'alice-pass')).tokens.access_token;
    await expectStatus(
      call(relay, 'ListSessions', {}, { token: alice }),
      grpc.status.INVALID_ARGUMENT,
      /missing workspace_id metadata: alice@acme.test is a member of 3 fleets \(acme-prod, acme-staging, partner-lab\); send workspace_id/,
    );
    // Sent, it is still checked against the credential.
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: ciDeploy, fleet: 'no-such-fleet' }),
      grpc.status.NOT_FOUND,
      /unknown fleet "no-such-fleet"/,
    );
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: ciDeploy, fleet: 'Bad Fleet!' }),
      grpc.status.INVALID_ARGUMENT,
      /malformed workspace_id/,
    );
  });

  it("reads the SDK's x-cmdop-agent-id, and x-agent-id too, refusing the two when they disagree", async () => {
    const viaUpstream = await call(
      relay,
      'CreateSession',
      { command: 'echo upstream' },
      { token: ciDeploy, raw: { 'x-cmdop-agent-id': 'web-1' } },
    );
    assert.ok(viaUpstream.session_id);
    await expectStatus(
      call(relay, 'CreateSession', { command: 'true' }, { token: ciDeploy, agent: 'db-1', raw: { 'x-cmdop-agent-id': 'web-1' } }),
      grpc.status.INVALID_ARGUMENT,
      /x-cmdop-agent-id "web-1" and x-agent-id "db-1" disagree/,
    );
  });

  it('refuses revoked, expired and unknown keys with UNAUTHENTICATED saying which', async () => {
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: seededKey(server, 'acme-prod', 'old-deploy'), fleet: 'acme-prod' }),
      grpc.status.UNAUTHENTICATED,
      /^API key revoked/,
    );
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: seededKey(server, 'acme-prod', 'expired-key'), fleet: 'acme-prod' }),
      grpc.status.UNAUTHENTICATED,
      /^API key expired/,
    );
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: `cmdop_${'x'.repeat(40)}`, fleet: 'acme-prod' }),
      grpc.status.UNAUTHENTICATED,
      /unknown API key/,
    );
    await expectStatus(call(relay, 'HealthCheck', {}, { fleet: 'acme-prod' }), grpc.status.UNAUTHENTICATED, /missing credentials/);
  });

  it('accepts a key with a future expiry and records its use', async () => {
    const nightly = seededKey(server, 'acme-prod', 'nightly');
    const before = await getJson(server, '/api/fleets/acme-prod/api-keys/', ciDeploy);
    // ci-deploy is a Member-role key: key listing is for Owners/Admins, checked in rest-api tests.
    assert.equal(before.status, 403);
    await call(relay, 'HealthCheck', {}, { token: nightly, fleet: 'acme-prod' });
    const whoami = await getJson(server, '/api/whoami', nightly);
    assert.equal(whoami.body.kind, 'api_key');
    assert.equal(whoami.body.key.name, 'nightly');
    assert.equal(whoami.body.key.expires_at, '2099-01-01T00:00:00.000Z');
    assert.ok(whoami.body.key.last_used_at, 'last_used_at set by use');
    assert.ok(Date.now() - Date.parse(whoami.body.key.last_used_at) < 10_000);
  });

  it('sends a fleet served by another relay there (server override)', async () => {
    const staging = seededKey(server, 'acme-staging', 'staging-ci');
    assert.notEqual(server.relays['acme-staging'], server.defaultRelay);
    await expectStatus(
      call(relay, 'ListSessions', {}, { token: staging, fleet: 'acme-staging' }),
      grpc.status.FAILED_PRECONDITION,
      new RegExp(`served by relay ${server.relays['acme-staging'].replace(/\./g, '\\.')}`),
    );
    const listed = await call(stagingRelay, 'ListSessions', {}, { token: staging, fleet: 'acme-staging' });
    assert.deepEqual(
      listed.sessions.map((s: { machine_hostname: string }) => s.machine_hostname),
      ['web-1', 'mac-mini'],
    );
    assert.equal(listed.workspace_name, 'Acme Staging');
    // And the staging relay refuses the default relay's fleets.
    await expectStatus(
      call(stagingRelay, 'HealthCheck', {}, { token: ciDeploy, fleet: 'acme-prod' }),
      grpc.status.FAILED_PRECONDITION,
      /served by relay/,
    );
  });

  it('keeps same-named machines of different fleets apart', async () => {
    const prod = await call(relay, 'GetSessionByHostname', { hostname: 'web-1' }, { token: ciDeploy, fleet: 'acme-prod' });
    const staging = await call(
      stagingRelay,
      'GetSessionByHostname',
      { hostname: 'web-1' },
      { token: seededKey(server, 'acme-staging', 'staging-ci'), fleet: 'acme-staging' },
    );
    assert.equal(prod.found, true);
    assert.equal(staging.found, true);
    assert.notEqual(prod.session_id, staging.session_id);
  });
});
