import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { getJson, seededKey, signIn } from './support/fleetHelpers';
import { call, readOutputStream, relayClient, type RelayClient } from './support/relayClient';

describe('audit log', () => {
  let server: FleetServer;
  let relay: RelayClient;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.relays['acme-prod']);
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('records session creation and input with the acting user or key', async () => {
    const { tokens } = await signIn(server, 'alice@acme.test', 'alice-pass');
    const asAlice = { token: tokens.access_token, fleet: 'acme-prod', agent: 'web-1' };
    const asKey = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'db-1' };

    const aliceSession = (await call(relay, 'CreateSession', {}, asAlice)).session_id;
    await call(relay, 'SendInput', { session_id: aliceSession, data: Buffer.from('exit 0\n') }, asAlice);
    const keySession = (await call(relay, 'CreateSession', {}, asKey)).session_id;
    await call(relay, 'SendInput', { session_id: keySession, data: Buffer.from('exit 0\n') }, asKey);
    await readOutputStream(relay, aliceSession, asAlice);
    await readOutputStream(relay, keySession, asKey);

    const simplified = server.audit('acme-prod').map(({ actor, action, target }) => ({ actor, action, target }));
    assert.deepEqual(simplified, [
      { actor: 'alice@acme.test', action: 'session.create', target: `web-1/${aliceSession}` },
      { actor: 'alice@acme.test', action: 'session.input', target: `web-1/${aliceSession}` },
      { actor: 'apikey:ci-deploy', action: 'session.create', target: `db-1/${keySession}` },
      { actor: 'apikey:ci-deploy', action: 'session.input', target: `db-1/${keySession}` },
    ]);
    for (const entry of server.audit('acme-prod')) {
      assert.equal(entry.source_ip, '127.0.0.1');
      assert.ok(!Number.isNaN(Date.parse(entry.at)));
    }
    assert.deepEqual(server.audit('partner-lab'), [], 'other fleets see nothing');

    const rest = await getJson(server, '/api/fleets/acme-prod/audit/', tokens.access_token);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.body, server.audit('acme-prod'));
  });
});
