import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey, signIn } from './support/fleetHelpers';
import { call, expectStatus, grpc, readOutputStream, relayClient, type RelayClient } from './support/relayClient';

describe('Guest role is observer-only', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let aliceToken: string;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.relays['partner-lab']);
    aliceToken = (await signIn(server, 'alice@acme.test', 'alice-pass')).tokens.access_token;
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('can check health, list sessions and find a machine', async () => {
    const meta = { token: aliceToken, fleet: 'partner-lab' };
    assert.equal((await call(relay, 'HealthCheck', {}, meta)).healthy, true);
    const listed = await call(relay, 'ListSessions', {}, meta);
    assert.equal(listed.total, 1);
    assert.equal(listed.sessions[0].machine_hostname, 'lab-1');
    assert.equal(listed.sessions[0].status, 'connected');
    const found = await call(relay, 'GetSessionByHostname', { hostname: 'lab', partial_match: true }, meta);
    assert.equal(found.found, true);
    assert.equal(found.machine_hostname, 'lab-1');
  });

  it('cannot create a session, type, resize or signal', async () => {
    const meta = { token: aliceToken, fleet: 'partner-lab', agent: 'lab-1' };
    await expectStatus(
      call(relay, 'CreateSession', { command: 'id' }, meta),
      grpc.status.PERMISSION_DENIED,
      /observer-only: alice@acme.test has the Guest role/,
    );

    // A session the fleet's own bot opened: the Guest may not touch it.
    const bot = { token: seededKey(server, 'partner-lab', 'lab-bot'), fleet: 'partner-lab', agent: 'lab-1' };
    const { session_id } = await call(relay, 'CreateSession', {}, bot);
    await expectStatus(
      call(relay, 'SendInput', { session_id, data: Buffer.from('id\n') }, meta),
      grpc.status.PERMISSION_DENIED,
      /observer-only/,
    );
    await expectStatus(
      call(relay, 'SendResize', { session_id, cols: 100, rows: 30 }, meta),
      grpc.status.PERMISSION_DENIED,
      /observer-only/,
    );
    await expectStatus(call(relay, 'SendSignal', { session_id, signal: 2 }, meta), grpc.status.PERMISSION_DENIED, /observer-only/);

    // The bot's session is private: the Guest does not see it at all. The machine's shared agent session it may watch.
    await expectStatus(readOutputStream(relay, session_id, meta), grpc.status.NOT_FOUND, /no session/);
    const shared = (await call(relay, 'ListSessions', {}, meta)).sessions[0].session_id;
    const watching = readOutputStream(relay, shared, meta, { until: (text) => /bot-was-here/.test(text.toString()) });
    await call(relay, 'SendInput', { session_id: shared, data: Buffer.from('echo bot-was-"here"\n') }, bot);
    assert.match((await watching).output.toString(), /bot-was-here/);

    const audit = server.audit('partner-lab');
    assert.ok(
      audit.every((entry) => entry.actor === 'apikey:lab-bot'),
      'refused calls leave no audit entries as if they happened',
    );
  });

  it('is a full member elsewhere with the same token', async () => {
    const acme = relayClient(server.relays['acme-prod']);
    try {
      const created = await call(acme, 'CreateSession', { command: 'true' }, { token: aliceToken, fleet: 'acme-prod', agent: 'db-1' });
      assert.equal(created.success, true);
    } finally {
      acme.close();
    }
  });
});
