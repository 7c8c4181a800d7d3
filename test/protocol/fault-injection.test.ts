import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson } from './support/fleetHelpers';
import { useFleetRelay } from './support/fleetRelay';
import { call, expectStatus, grpc, readOutputStream, runCommand } from './support/relayClient';

describe('fault injection (loopback admin routes)', () => {
  const fx = useFleetRelay({ adminToken: 'test-admin-token' });
  const admin = (path: string, { method = 'POST', token = 'test-admin-token' } = {}) =>
    fetch(`${fx.server.apiUrl}${path}`, { method, headers: { 'x-admin-token': token } });

  /** Opens a session, follows its output, then injects a fault through an admin route. */
  const faultUnderStream = async (command: string, route: string) => {
    const session = (await call(fx.relay, 'CreateSession', { command }, fx.meta)).session_id;
    const watching = readOutputStream(fx.relay, session, fx.meta);
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
    await expectStatus(call(fx.relay, 'HealthCheck', {}, fx.meta), grpc.status.UNAVAILABLE, /injected outage/);
    // After the outage the same session is still there, and resuming from 0 returns what it printed meanwhile.
    await new Promise((r) => setTimeout(r, 2100));
    const resumed = await readOutputStream(fx.relay, session, fx.meta, { until: (soFar) => soFar.includes('kept-42') });
    assert.match(resumed.output.toString(), /kept-42/);
    await call(fx.relay, 'CloseSession', { session_id: session, reason: 'test done', force: true }, fx.meta);
  });

  it('a relay restart ends every stream, forgets every session and listens again on the same port', async () => {
    const session = (await call(fx.relay, 'CreateSession', { command: 'echo up-$((1+1)); sleep 30' }, fx.meta)).session_id;
    const agentSessionBefore = (await call(fx.relay, 'GetSessionByHostname', { hostname: 'web-1' }, fx.meta)).session_id;
    let streaming!: () => void;
    const live = new Promise<void>((resolve) => (streaming = resolve));
    const watching = readOutputStream(fx.relay, session, fx.meta, { onOutput: (soFar) => soFar.includes('up-2') && streaming() });
    watching.catch(() => undefined);
    await live;
    const relayAddress = fx.server.relays['acme-prod'];
    const response = await admin('/admin/relay/restart');
    assert.equal(response.status, 200);
    assert.ok((await response.json()).dropped_sessions >= 1);
    await expectStatus(watching, grpc.status.UNAVAILABLE);
    // The same address answers again, without the session (NOT_FOUND, not "closed") and with new agent session ids.
    assert.equal(fx.server.relays['acme-prod'], relayAddress);
    const resize = call(fx.relay, 'SendResize', { session_id: session, cols: 100, rows: 30 }, fx.meta);
    await expectStatus(resize, grpc.status.NOT_FOUND, /no session/);
    assert.equal((await call(fx.relay, 'GetSessionStatus', { session_id: session }, fx.meta)).exists, false);
    assert.deepEqual(fx.server.sessions('acme-prod'), []);
    const agentSessionAfter = (await call(fx.relay, 'GetSessionByHostname', { hostname: 'web-1' }, fx.meta)).session_id;
    assert.notEqual(agentSessionAfter, agentSessionBefore);
    const fresh = await runCommand(fx.relay, fx.meta, 'echo again-$((6*7))');
    assert.match(fresh.output.toString(), /again-42/);
  });

  it('revoking a key ends the streams it opened with UNAUTHENTICATED, and the key is refused from then on', async () => {
    const { watching, body } = await faultUnderStream('sleep 30', '/admin/fleets/acme-prod/keys/ci-deploy/revoke');
    assert.equal(body.ended_streams, 1);
    await expectStatus(watching, grpc.status.UNAUTHENTICATED, /API key revoked/);
    assert.equal((await getJson(fx.server, '/api/whoami', fx.meta.token)).status, 401);
  });

  it('counts refresh grants (none yet here)', async () => {
    const response = await admin('/admin/stats/refreshes', { method: 'GET' });
    assert.deepEqual(await response.json(), { succeeded: 0, refused: 0 });
  });
});
