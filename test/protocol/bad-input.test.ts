import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey } from './support/fleetHelpers';
import { call, expectStatus, grpc, metadata, readOutputStream, relayClient, runCommand, type RelayClient } from './support/relayClient';

describe('bad input gets clear statuses and the relay keeps serving', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let key: string;

  before(async () => {
    server = await startFleetServer();
    relay = relayClient(server.relays['acme-prod']);
    key = seededKey(server, 'acme-prod', 'ci-deploy');
  });
  after(async () => {
    relay?.close();
    await server?.close();
  });

  it('refuses malformed metadata', async () => {
    const basic = metadata({ fleet: 'acme-prod', raw: { authorization: `Basic ${key}` } });
    await expectStatus(call(relay, 'HealthCheck', {}, basic), grpc.status.UNAUTHENTICATED, /expected "Bearer <token>"/);
    const empty = metadata({ fleet: 'acme-prod', raw: { authorization: 'Bearer' } });
    await expectStatus(call(relay, 'HealthCheck', {}, empty), grpc.status.UNAUTHENTICATED, /malformed authorization/);
    const twice = metadata({ token: key, fleet: 'acme-prod' });
    twice.add('workspace_id', 'partner-lab');
    await expectStatus(call(relay, 'HealthCheck', {}, twice), grpc.status.INVALID_ARGUMENT, /workspace_id.*sent more than once/);
    await expectStatus(
      call(relay, 'HealthCheck', {}, { token: key, fleet: 'ACME/../prod' }),
      grpc.status.INVALID_ARGUMENT,
      /malformed workspace_id/,
    );
    await expectStatus(
      call(relay, 'CreateSession', {}, { token: key, fleet: 'acme-prod' }),
      grpc.status.INVALID_ARGUMENT,
      /missing x-cmdop-agent-id/,
    );
  });

  it('refuses oversized messages and oversized input', async () => {
    const session = (await call(relay, 'CreateSession', {}, { token: key, fleet: 'acme-prod', agent: 'web-1' })).session_id;
    const meta = { token: key, fleet: 'acme-prod' };
    await expectStatus(
      call(relay, 'SendInput', { session_id: session, data: Buffer.alloc(5 * 1024 * 1024, 0x61) }, meta),
      grpc.status.RESOURCE_EXHAUSTED,
    );
    await expectStatus(
      call(relay, 'SendInput', { session_id: session, data: Buffer.alloc(64 * 1024 + 1, 0x61) }, meta),
      grpc.status.INVALID_ARGUMENT,
      /exceeds the 65536-byte limit/,
    );
    const exactly = await call(relay, 'SendInput', { session_id: session, data: Buffer.from('exit 4\n') }, meta);
    assert.equal(exactly.success, true);
    assert.equal((await readOutputStream(relay, session, meta)).exit?.exit_code, 4);
  });

  it('refuses unknown machines, bad sizes and signals', async () => {
    const meta = { token: key, fleet: 'acme-prod' };
    await expectStatus(
      call(relay, 'CreateSession', {}, { ...meta, agent: 'nope-9' }),
      grpc.status.NOT_FOUND,
      /no machine "nope-9" in fleet acme-prod/,
    );
    await expectStatus(call(relay, 'GetSessionByHostname', { hostname: 'nope-9' }, meta), grpc.status.NOT_FOUND, /nope-9/);
    // lab-1 exists, but in another fleet.
    await expectStatus(call(relay, 'CreateSession', {}, { ...meta, agent: 'lab-1' }), grpc.status.NOT_FOUND);
    await expectStatus(
      call(relay, 'CreateSession', { config: { size: { rows: 0, cols: 5000 } } }, { ...meta, agent: 'web-1' }),
      grpc.status.INVALID_ARGUMENT,
      /terminal size/,
    );
    await expectStatus(
      call(relay, 'CreateSession', { config: { shell: '/usr/bin/zsh' } }, { ...meta, agent: 'web-1' }),
      grpc.status.INVALID_ARGUMENT,
      /unsupported shell/,
    );
    await expectStatus(
      call(relay, 'SendInput', { session_id: 'not-a-session', data: Buffer.from('x') }, meta),
      grpc.status.NOT_FOUND,
      /no session not-a-session/,
    );
    await expectStatus(call(relay, 'SendInput', { data: Buffer.from('x') }, meta), grpc.status.INVALID_ARGUMENT, /session_id is required/);
    await expectStatus(call(relay, 'SendSignal', { session_id: 'x', signal: 99 }, meta), grpc.status.INVALID_ARGUMENT, /signal must be/);
  });

  it('refuses work on a closed session', async () => {
    const meta = { token: key, fleet: 'acme-prod', agent: 'web-1' };
    const { sessionId, exit } = await runCommand(relay, meta, 'exit 0');
    assert.equal(exit?.exit_code, 0);
    await expectStatus(
      call(relay, 'SendInput', { session_id: sessionId, data: Buffer.from('ls\n') }, meta),
      grpc.status.FAILED_PRECONDITION,
      /is closed \(exited, exit code 0\)/,
    );
    await expectStatus(call(relay, 'SendResize', { session_id: sessionId, cols: 90, rows: 20 }, meta), grpc.status.FAILED_PRECONDITION);

    const interactive = (await call(relay, 'CreateSession', {}, meta)).session_id;
    assert.equal((await call(relay, 'CloseSession', { session_id: interactive }, meta)).success, true);
    await expectStatus(
      call(relay, 'SendInput', { session_id: interactive, data: Buffer.from('ls\n') }, meta),
      grpc.status.FAILED_PRECONDITION,
      /closed \(closed/,
    );
    assert.equal((await call(relay, 'CloseSession', { session_id: interactive }, meta)).success, true, 'closing twice is harmless');
    const status = await call(relay, 'GetSessionStatus', { session_id: interactive }, meta);
    assert.equal(status.status, 'DISCONNECTED');
    assert.equal(status.end_reason, 'closed');
  });

  it('still serves a fresh client after all of the above', async () => {
    const other = relayClient(server.relays['acme-prod']);
    try {
      const result = await runCommand(
        other,
        { token: seededKey(server, 'acme-prod', 'nightly'), fleet: 'acme-prod', agent: 'db-1' },
        'printf still-alive',
      );
      assert.equal(result.output.toString(), 'still-alive');
      assert.equal(result.exit?.exit_code, 0);
    } finally {
      other.close();
    }
  });
});
