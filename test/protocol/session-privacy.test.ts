// A private session (CreateSession's) is seen only by the member who opened it and by the fleet's Owners and
// Admins: to every other member it does not exist, in ListSessions and in every call that names it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey, signIn } from './support/fleetHelpers';
import { call, expectStatus, grpc, metadata, readOutputStream, relayClient, type CallMeta, type RelayClient } from './support/relayClient';

/**
 * Opens a ConnectTerminal attach stream on a session: "started" once the relay answers StartSessionCommand (the
 * session was found; the stream is then cancelled), or the status the stream was refused with.
 */
function attach(relay: RelayClient, sessionId: string, meta: CallMeta): Promise<'started' | grpc.StatusObject> {
  return new Promise((resolve) => {
    const stream = (relay.ConnectTerminal as (md: grpc.Metadata) => grpc.ClientDuplexStream<object, { start_session?: object }>)(
      metadata(meta),
    );
    stream.on('data', (message) => {
      if (!message.start_session) return;
      resolve('started');
      stream.cancel();
    });
    stream.on('error', () => undefined);
    stream.on('status', resolve);
    stream.write({
      session_id: sessionId,
      message_id: 'm1',
      register: {
        version: 'protocol-test-attach',
        hostname: '',
        platform: 'linux',
        has_shell: false,
        initial_size: { cols: 80, rows: 24 },
      },
    });
  });
}

describe('a private session', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let bob: CallMeta;
  let owner: CallMeta;
  let otherMember: CallMeta;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.relays['acme-prod']);
    const [bobSession, aliceSession] = await Promise.all([
      signIn(server, 'bob@acme.test', 'bob-pass'),
      signIn(server, 'alice@acme.test', 'alice-pass'),
    ]);
    bob = { token: bobSession.tokens.access_token, fleet: 'acme-prod' };
    owner = { token: aliceSession.tokens.access_token, fleet: 'acme-prod' };
    // A fleet key acts as a Member: the same fleet, not the one who opened the session.
    otherMember = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod' };
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  async function bobsSession(): Promise<string> {
    const { session_id } = await call(relay, 'CreateSession', {}, { ...bob, agent: 'web-1' });
    const seen = readOutputStream(relay, session_id, bob, { until: (text) => /bobs-secret/.test(text.toString()) });
    await call(relay, 'SendInput', { session_id, data: Buffer.from('echo bobs-"secret"\n') }, bob);
    assert.match((await seen).output.toString(), /bobs-secret/, 'its creator sees it');
    return session_id;
  }

  it('does not exist for another member of the fleet: not listed, not found, not watched, attached, typed into or closed', async () => {
    const session_id = await bobsSession();
    const unknown = new RegExp(`no session ${session_id} in fleet acme-prod`);

    const listed = await call(relay, 'ListSessions', { limit: 1000 }, otherMember);
    assert.ok(!listed.sessions.some((s: { session_id: string }) => s.session_id === session_id));
    assert.equal((await call(relay, 'GetSessionStatus', { session_id }, otherMember)).exists, false);
    await expectStatus(call(relay, 'GetOutput', { session_id }, otherMember), grpc.status.NOT_FOUND, unknown);
    await expectStatus(readOutputStream(relay, session_id, otherMember), grpc.status.NOT_FOUND, unknown);
    const attached = await attach(relay, session_id, otherMember);
    assert.ok(attached !== 'started', 'attached');
    assert.equal(attached.code, grpc.status.NOT_FOUND);
    assert.match(attached.details, unknown);
    await expectStatus(call(relay, 'SendInput', { session_id, data: Buffer.from('id\n') }, otherMember), grpc.status.NOT_FOUND, unknown);
    await expectStatus(call(relay, 'SendResize', { session_id, cols: 100, rows: 30 }, otherMember), grpc.status.NOT_FOUND, unknown);
    await expectStatus(call(relay, 'SendSignal', { session_id, signal: 2 }, otherMember), grpc.status.NOT_FOUND, unknown);
    await expectStatus(call(relay, 'CloseSession', { session_id }, otherMember), grpc.status.NOT_FOUND, unknown);

    const status = await call(relay, 'GetSessionStatus', { session_id }, bob);
    assert.equal(status.status, 'CONNECTED', 'still running for its creator');
    const touched = server.audit('acme-prod').filter((e) => e.actor === 'apikey:ci-deploy' && e.target.endsWith(session_id));
    assert.deepEqual(touched, [], "nothing happened to it in the other member's name");
  });

  it("is seen by the fleet's Owner, who may watch and close it", async () => {
    const session_id = await bobsSession();
    const { data } = await call(relay, 'GetOutput', { session_id }, owner);
    assert.match(Buffer.from(data).toString(), /bobs-secret/);
    assert.equal(await attach(relay, session_id, owner), 'started');
    await call(relay, 'CloseSession', { session_id }, owner);
    assert.equal((await call(relay, 'GetSessionStatus', { session_id }, bob)).status, 'DISCONNECTED');
  });

  it("leaves a machine's shared agent session visible to every member", async () => {
    const shared = (await call(relay, 'ListSessions', { hostname_filter: 'web-1' }, otherMember)).sessions[0].session_id;
    const seen = readOutputStream(relay, shared, otherMember, { until: (text) => /shared-by-bob/.test(text.toString()) });
    await call(relay, 'SendInput', { session_id: shared, data: Buffer.from('echo shared-by-"bob"\n') }, bob);
    assert.match((await seen).output.toString(), /shared-by-bob/);
  });
});
