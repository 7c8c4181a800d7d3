import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey } from './support/fleetHelpers';
import { call, expectStatus, grpc, readOutputStream, relayClient, type RelayClient } from './support/relayClient';

describe('fault injection (loopback admin routes)', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let meta: { token: string; fleet: string; agent: string };
  const admin = (path: string, { method = 'POST', token = 'test-admin-token' } = {}) =>
    fetch(`${server.apiUrl}${path}`, { method, headers: { 'x-admin-token': token } });

  before(async () => {
    server = await startFleetServer({ adminToken: 'test-admin-token' });
    relay = relayClient(server.relays['acme-prod']);
    meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'web-1' };
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  /** Opens a session, follows its output, then injects a fault through an admin route. */
  const faultUnderStream = async (command: string, route: string) => {
    const session = (await call(relay, 'CreateSession', { command }, meta)).session_id;
    const watching = readOutputStream(relay, session, meta);
    watching.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const response = await admin(route);
    assert.equal(response.status, 200);
    return { session, watching, body: await response.json() };
  };

  it('needs the admin token and checks its input', async () => {
    assert.equal((await admin('/admin/relay/outage?seconds=1', { token: 'wrong' })).status, 401);
    assert.equal((await admin('/admin/relay/outage?seconds=-1')).status, 400);
    assert.equal((await admin('/admin/fleets/acme-prod/keys/no-such-key/revoke')).status, 404);
    assert.equal((await admin('/admin/accounts/nobody@acme.test/revoke')).status, 404);
  });

  it('an outage drops open streams and refuses new calls for N seconds, while the shell lives on and its output is kept', async () => {
    const { session, watching, body } = await faultUnderStream('sleep 1; echo kept-$((20+22)); sleep 30', '/admin/relay/outage?seconds=2');
    assert.ok(body.dropped_streams >= 1);
    await expectStatus(watching, grpc.status.UNAVAILABLE, /injected outage/);
    await expectStatus(call(relay, 'HealthCheck', {}, meta), grpc.status.UNAVAILABLE, /injected outage/);
    // After the outage the same session is still there, and resuming from 0 returns what it printed meanwhile.
    await new Promise((r) => setTimeout(r, 2100));
    const resumed = await readOutputStream(relay, session, meta, { until: (soFar) => soFar.includes('kept-42') });
    assert.match(resumed.output.toString(), /kept-42/);
    await call(relay, 'CloseSession', { session_id: session, reason: 'test done', force: true }, meta);
  });

  it('revoking a key ends the streams it opened with UNAUTHENTICATED, and the key is refused from then on', async () => {
    const { watching, body } = await faultUnderStream('sleep 30', '/admin/fleets/acme-prod/keys/ci-deploy/revoke');
    assert.equal(body.ended_streams, 1);
    await expectStatus(watching, grpc.status.UNAUTHENTICATED, /API key revoked/);
    assert.equal((await getJson(server, '/api/whoami', meta.token)).status, 401);
  });

  it('counts refresh grants (none yet here)', async () => {
    const response = await admin('/admin/stats/refreshes', { method: 'GET' });
    assert.deepEqual(await response.json(), { succeeded: 0, refused: 0 });
  });
});
