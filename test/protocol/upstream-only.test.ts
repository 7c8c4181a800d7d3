import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey, waitFor } from './support/fleetHelpers';
import { call, expectStatus, grpc, readOutputStream, relayClient, type RelayClient } from './support/relayClient';

describe('agent sessions start their shell lazily; --upstream-only turns the extensions off', () => {
  let server: FleetServer;
  let upstream: FleetServer;
  let relay: RelayClient;
  let upstreamRelay: RelayClient;
  let meta: { token: string; agent: string };

  before(async () => {
    [server, upstream] = await Promise.all([startFleetServer(), startFleetServer({ upstreamOnly: true })]);
    relay = relayClient(server.relays['acme-prod']);
    upstreamRelay = relayClient(upstream.relays['acme-prod']);
    meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), agent: 'web-1' };
  });
  after(async () => {
    relay?.close();
    upstreamRelay?.close();
    await Promise.all([server?.close(), upstream?.close()]);
  });

  it("starts a machine's shared shell on first use only, and a new one under the same id after it exits", async () => {
    const before = (await call(relay, 'ListSessions', { hostname_filter: 'web-1' }, meta)).sessions[0];
    assert.deepEqual([before.shared, before.shell_started], [true, false], 'no shell until someone uses the agent session');
    await call(relay, 'SendInput', { session_id: before.session_id, data: Buffer.from('exit 7\n') }, meta);
    await waitFor('the shared shell to exit', async () => {
      const row = (await call(relay, 'ListSessions', { hostname_filter: 'web-1' }, meta)).sessions[0];
      return row.shell_started ? undefined : true;
    });
    await call(relay, 'SendInput', { session_id: before.session_id, data: Buffer.from('echo "again-""$HOSTNAME"\n') }, meta);
    const again = await readOutputStream(relay, before.session_id, meta, { until: (soFar) => /again-web-1/.test(soFar.toString()) });
    assert.match(again.output.toString(), /again-web-1/);
    const after = (await call(relay, 'ListSessions', { hostname_filter: 'web-1' }, meta)).sessions[0];
    assert.deepEqual([after.session_id, after.shell_started], [before.session_id, true]);
  });

  it('answers the extension RPC with UNIMPLEMENTED and ignores the extension fields', async () => {
    await expectStatus(readOutputStream(upstreamRelay, 'any', meta), grpc.status.UNIMPLEMENTED);
    const listed = (await call(upstreamRelay, 'ListSessions', {}, meta)).sessions[0];
    assert.equal(listed.shared, false, 'extension fields are not sent');
    // CreateSessionRequest.command (1001) is unknown upstream: the session is an interactive shell.
    const created = await call(upstreamRelay, 'CreateSession', { command: 'exit 3' }, meta);
    await call(upstreamRelay, 'SendInput', { session_id: created.session_id, data: Buffer.from('echo "still-""here"\n') }, meta);
    let text = '';
    for (let i = 0; i < 100 && !/still-here/.test(text); i++) {
      text = (await call(upstreamRelay, 'GetOutput', { session_id: created.session_id }, meta)).data.toString();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(text, /still-here/);
    const status = await call(upstreamRelay, 'GetSessionStatus', { session_id: created.session_id }, meta);
    assert.deepEqual([status.status, status.ended, status.output_bytes], ['CONNECTED', false, 0]);
  });
});
