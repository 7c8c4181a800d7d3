import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson, seededKey } from './support/fleetHelpers';
import { useFleetRelay } from './support/fleetRelay';
import { call, expectStatus, grpc, readOutputStream, runCommand } from './support/relayClient';

describe('stopping and starting machine agents', () => {
  const fx = useFleetRelay({ adminToken: 'test-admin-token' });

  const webOnline = async (): Promise<boolean> => {
    const { body } = await getJson(fx.server, '/api/fleets/acme-prod/machines/?search=web-1', fx.meta.token);
    return body.results[0].is_online;
  };
  const admin = (action: 'stop' | 'start', token = 'test-admin-token') =>
    fetch(`${fx.server.apiUrl}/admin/machines/acme-prod/web-1/${action}`, { method: 'POST', headers: { 'x-admin-token': token } });

  it('goes offline in REST and UNAVAILABLE in gRPC, ending its sessions; comes back on start', async () => {
    assert.equal(await webOnline(), true);
    const running = (await call(fx.relay, 'CreateSession', { command: 'sleep 60' }, fx.meta)).session_id;
    const watcher = readOutputStream(fx.relay, running, fx.meta);

    const refused = await admin('stop', 'wrong-token');
    assert.equal(refused.status, 401);
    const stopped = await admin('stop');
    assert.equal(stopped.status, 200);
    assert.deepEqual(await stopped.json(), { fleet: 'acme-prod', hostname: 'web-1', is_online: false });

    assert.equal(await webOnline(), false);
    const ended = await watcher;
    assert.equal(ended.exit?.reason, 'machine stopped');
    await expectStatus(
      call(fx.relay, 'CreateSession', { command: 'true' }, fx.meta),
      grpc.status.UNAVAILABLE,
      /web-1 in fleet acme-prod is offline/,
    );
    await expectStatus(
      call(fx.relay, 'SendInput', { session_id: running, data: Buffer.from('x') }, fx.meta),
      grpc.status.FAILED_PRECONDITION,
      /machine stopped/,
    );
    const listed = await call(fx.relay, 'GetSessionByHostname', { hostname: 'web-1' }, fx.meta);
    assert.equal(listed.status, 'disconnected');
    const otherFleet = await getJson(
      fx.server,
      '/api/fleets/acme-staging/machines/?search=web-1',
      seededKey(fx.server, 'acme-staging', 'staging-ci'),
    );
    assert.equal(otherFleet.body.results[0].is_online, true, 'web-1 of acme-staging is a different machine');

    assert.equal((await admin('start')).status, 200);
    assert.equal(await webOnline(), true);
    const result = await runCommand(fx.relay, fx.meta, 'echo back');
    assert.match(result.output.toString(), /back/);
  });

  it('also works through the programmatic API', async () => {
    await fx.server.stopMachine('acme-prod', 'db-1');
    await expectStatus(call(fx.relay, 'CreateSession', {}, { ...fx.meta, agent: 'db-1' }), grpc.status.UNAVAILABLE);
    await fx.server.stopMachine('acme-prod', 'db-1');
    await fx.server.startMachine('acme-prod', 'db-1');
    assert.equal((await call(fx.relay, 'CreateSession', { command: 'true' }, { ...fx.meta, agent: 'db-1' })).success, true);
  });

  it('leaves never-started machines offline', async () => {
    await expectStatus(call(fx.relay, 'CreateSession', {}, { ...fx.meta, agent: 'batch-1' }), grpc.status.UNAVAILABLE, /batch-1/);
  });
});
