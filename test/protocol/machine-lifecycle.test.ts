import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey } from './support/fleetHelpers';
import { call, expectStatus, grpc, readOutputStream, relayClient, runCommand, type RelayClient } from './support/relayClient';

describe('stopping and starting machine agents', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let meta: { token: string; fleet: string; agent: string };

  before(async () => {
    server = await startFleetServer({ adminToken: 'test-admin-token' });
    relay = relayClient(server.relays['acme-prod']);
    meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'web-1' };
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  const webOnline = async (): Promise<boolean> => {
    const { body } = await getJson(server, '/api/fleets/acme-prod/machines/?search=web-1', meta.token);
    return body.results[0].is_online;
  };
  const admin = (action: 'stop' | 'start', token = 'test-admin-token') =>
    fetch(`${server.apiUrl}/admin/machines/acme-prod/web-1/${action}`, { method: 'POST', headers: { 'x-admin-token': token } });

  it('goes offline in REST and UNAVAILABLE in gRPC, ending its sessions; comes back on start', async () => {
    assert.equal(await webOnline(), true);
    const running = (await call(relay, 'CreateSession', { command: 'sleep 60' }, meta)).session_id;
    const watcher = readOutputStream(relay, running, meta);

    const refused = await admin('stop', 'wrong-token');
    assert.equal(refused.status, 401);
    const stopped = await admin('stop');
    assert.equal(stopped.status, 200);
    assert.deepEqual(await stopped.json(), { fleet: 'acme-prod', hostname: 'web-1', is_online: false });

    assert.equal(await webOnline(), false);
    const ended = await watcher;
    assert.equal(ended.exit?.reason, 'machine stopped');
    await expectStatus(call(relay, 'CreateSession', { command: 'true' }, meta), grpc.status.UNAVAILABLE, /web-1 in fleet acme-prod is offline/);
    await expectStatus(call(relay, 'SendInput', { session_id: running, data: Buffer.from('x') }, meta), grpc.status.FAILED_PRECONDITION, /machine stopped/);
    const listed = await call(relay, 'GetSessionByHostname', { hostname: 'web-1' }, meta);
    assert.equal(listed.status, 'disconnected');
    const otherFleet = await getJson(server, '/api/fleets/acme-staging/machines/?search=web-1', seededKey(server, 'acme-staging', 'staging-ci'));
    assert.equal(otherFleet.body.results[0].is_online, true, 'web-1 of acme-staging is a different machine');

    assert.equal((await admin('start')).status, 200);
    assert.equal(await webOnline(), true);
    const result = await runCommand(relay, meta, 'echo back');
    assert.match(result.output.toString(), /back/);
  });

  it('also works through the programmatic API', async () => {
    await server.stopMachine('acme-prod', 'db-1');
    await expectStatus(call(relay, 'CreateSession', {}, { ...meta, agent: 'db-1' }), grpc.status.UNAVAILABLE);
    await server.stopMachine('acme-prod', 'db-1');
    await server.startMachine('acme-prod', 'db-1');
    assert.equal((await call(relay, 'CreateSession', { command: 'true' }, { ...meta, agent: 'db-1' })).success, true);
  });

  it('leaves never-started machines offline', async () => {
    await expectStatus(call(relay, 'CreateSession', {}, { ...meta, agent: 'batch-1' }), grpc.status.UNAVAILABLE, /batch-1/);
  });
});
