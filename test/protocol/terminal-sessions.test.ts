import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson, waitFor } from './support/fleetHelpers';
import { useFleetRelay } from './support/fleetRelay';
import { call, expectStatus, grpc, readOutputStream, runCommand } from './support/relayClient';

describe('terminal sessions: real PTYs, output stream and resume', () => {
  const fx = useFleetRelay({ outputBufferBytes: 64 * 1024 });

  it('runs an interactive shell with the seeded hostname, a clean env and the machine home as cwd', async () => {
    const session = (await call(fx.relay, 'CreateSession', { config: { size: { rows: 33, cols: 101 } } }, fx.meta)).session_id;
    await call(
      fx.relay,
      'SendInput',
      { session_id: session, data: Buffer.from('echo "host=$HOSTNAME size=$(stty size) pwd=$PWD leak=${NODE_OPTIONS-unset}"\n') },
      fx.meta,
    );
    // Resize only after the first answer is out, then pick the stream up again where it stopped.
    const first = await readOutputStream(fx.relay, session, fx.meta, { until: (soFar) => /leak=\w+\r\n/.test(soFar.toString()) });
    await call(fx.relay, 'SendResize', { session_id: session, cols: 120, rows: 40 }, fx.meta);
    await call(fx.relay, 'SendInput', { session_id: session, data: Buffer.from('echo "now=$(stty size)"; exit 5\n') }, fx.meta);
    const rest = await readOutputStream(fx.relay, session, fx.meta, { offset: first.output.length });
    const { exit } = rest;
    const text = Buffer.concat([first.output, rest.output]).toString();
    assert.match(text, new RegExp(`host=web-1 size=33 101 pwd=${fx.server.homeOf('acme-prod', 'web-1')} leak=unset`));
    assert.match(text, /now=40 120/);
    assert.equal(exit?.exit_code, 5);
  });

  it('runs /bin/sh when asked', async () => {
    const { output, exit } = await runCommand(fx.relay, fx.meta, 'echo "shell=$SHELL"; exit 9');
    assert.match(output.toString(), /shell=\/bin\/bash/);
    const created = await call(
      fx.relay,
      'CreateSession',
      { config: { shell: '/bin/sh' }, command: 'echo "shell=$SHELL"; exit 9' },
      fx.meta,
    );
    const sh = await readOutputStream(fx.relay, created.session_id, fx.meta);
    assert.match(sh.output.toString(), /shell=\/bin\/sh/);
    assert.deepEqual([exit?.exit_code, sh.exit?.exit_code], [9, 9]);
  });

  it('delivers every byte of a large output in order', async () => {
    // 58,894 bytes: many PTY reads, yet inside this server's 64 KiB buffer, so a reader that attaches late
    // on a loaded machine still gets every byte (bytes beyond the buffer are the next test's subject).
    const { output, exit } = await runCommand(fx.relay, fx.meta, 'seq 1 10000');
    const expected = `${Array.from({ length: 10000 }, (_, i) => String(i + 1)).join('\r\n')}\r\n`;
    assert.equal(output.toString(), expected);
    assert.equal(exit?.total_bytes, Buffer.byteLength(expected));
  });

  it('reports the exit only after the last byte, also for commands ending side by side', async () => {
    // The exit is reported as soon as the output is drained, with no fixed wait: the tail (no newline after it)
    // must still come before the exit, for every one of many commands that end at once.
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => runCommand(fx.relay, fx.meta, `echo hello; seq 1 ${i * 300}; printf tail-${i}; exit 7`)),
    );
    runs.forEach(({ output, exit }, i) => {
      const text = output.toString();
      assert.match(text, /^hello\r\n/, `run ${i} starts with hello`);
      assert.ok(text.endsWith(`tail-${i}`), `run ${i} ends with its tail, got …${JSON.stringify(text.slice(-20))}`);
      assert.equal(exit?.exit_code, 7);
      assert.equal(exit?.total_bytes, output.length);
    });
  });

  it('resumes from an offset and reports bytes that fell out of the buffer', async () => {
    const { sessionId, output } = await runCommand(fx.relay, fx.meta, 'printf "%s" 0123456789abcdef');
    const resumed = await readOutputStream(fx.relay, sessionId, fx.meta, { offset: 10 });
    assert.equal(resumed.output.toString(), 'abcdef');
    assert.equal(resumed.events[0].output.offset, 10);
    assert.equal(resumed.exit?.total_bytes, output.length);
    await expectStatus(readOutputStream(fx.relay, sessionId, fx.meta, { offset: 999 }), grpc.status.OUT_OF_RANGE);

    // 100 KiB through a 64 KiB buffer: the first bytes are gone, and the client is told.
    // The command waits for a newline, and the newline is sent once this reader saw "ready": it is attached before the flood.
    const bigSession = (
      await call(fx.relay, 'CreateSession', { command: 'echo ready; read -r go; head -c 102400 /dev/zero | tr "\\0" x' }, fx.meta)
    ).session_id;
    let released = false;
    const live = readOutputStream(fx.relay, bigSession, fx.meta, {
      onOutput: (soFar) => {
        if (released || !soFar.toString().includes('ready')) return;
        released = true;
        void call(fx.relay, 'SendInput', { session_id: bigSession, data: Buffer.from('\n') }, fx.meta);
      },
    });
    const big = { sessionId: bigSession, ...(await live) };
    assert.equal(
      big.events.some((e) => e.gap),
      false,
      'a reader that keeps up sees no gap',
    );
    assert.equal(big.output.toString(), `ready\r\n\r\n${'x'.repeat(102400)}`);
    const late = await readOutputStream(fx.relay, big.sessionId, fx.meta);
    assert.deepEqual(late.events[0].gap, { requested_offset: 0, resumed_offset: 102409 - 64 * 1024 });
    assert.equal(late.output.toString(), 'x'.repeat(64 * 1024));
    const polled = await call(fx.relay, 'GetOutput', { session_id: big.sessionId, offset: 0, limit: 1000 }, fx.meta);
    assert.equal(polled.total_bytes, 102409);
    assert.equal(polled.data.length, 1000);
    assert.equal(polled.has_more, true);
  });

  it('reconnecting mid-stream loses nothing', async () => {
    const session = (
      await call(fx.relay, 'CreateSession', { command: 'for i in 1 2 3; do echo line-$i; read -r go; done; echo done' }, fx.meta)
    ).session_id;
    const first = await readOutputStream(fx.relay, session, fx.meta, { until: (soFar) => soFar.toString().includes('line-1') });
    await call(fx.relay, 'SendInput', { session_id: session, data: Buffer.from('\n') }, fx.meta);
    await call(fx.relay, 'SendInput', { session_id: session, data: Buffer.from('\n') }, fx.meta);
    await call(fx.relay, 'SendInput', { session_id: session, data: Buffer.from('\n') }, fx.meta);
    const rest = await readOutputStream(fx.relay, session, fx.meta, { offset: first.output.length });
    const whole = Buffer.concat([first.output, rest.output]).toString();
    assert.match(whole, /line-1\r\n[\s\S]*line-2\r\n[\s\S]*line-3\r\n[\s\S]*done\r\n$/);
    assert.equal(rest.exit?.total_bytes, Buffer.byteLength(whole));
  });

  it('delivers signals and reports them in the exit event', async () => {
    const session = (await call(fx.relay, 'CreateSession', { command: 'echo ready; exec sleep 30' }, fx.meta)).session_id;
    await readOutputStream(fx.relay, session, fx.meta, { until: (soFar) => soFar.toString().includes('ready') });
    await call(fx.relay, 'SendSignal', { session_id: session, signal: 15 }, fx.meta);
    const { exit } = await readOutputStream(fx.relay, session, fx.meta);
    assert.equal(exit?.signal, 15);
    assert.equal(exit?.reason, 'exited');
  });

  it('lists running sessions in the health check and closes on request', async () => {
    const session = (await call(fx.relay, 'CreateSession', {}, fx.meta)).session_id;
    const health = await call(fx.relay, 'HealthCheck', {}, fx.meta);
    assert.ok(health.active_sessions >= 1);
    const status = await call(fx.relay, 'GetSessionStatus', { session_id: session }, fx.meta);
    assert.deepEqual([status.exists, status.status, status.agent_hostname, status.ended], [true, 'CONNECTED', 'web-1', false]);
    await call(fx.relay, 'CloseSession', { session_id: session, reason: 'test done' }, fx.meta);
    const { exit } = await readOutputStream(fx.relay, session, fx.meta);
    assert.equal(exit?.reason, 'closed');
    await waitFor('session count to drop', async () =>
      (await call(fx.relay, 'HealthCheck', {}, fx.meta)).active_sessions === 0 ? true : undefined,
    );
  });

  it('routes x-agent-id by machine id, agent session id or hostname', async () => {
    const machines = await getJson(fx.server, '/api/fleets/acme-prod/machines/?search=db-1', fx.meta.token);
    const machineId: string = machines.body.results[0].id;
    const agentSession: string = (await call(fx.relay, 'GetSessionByHostname', { hostname: 'DB-1' }, fx.meta)).session_id;
    for (const agent of [machineId, agentSession, 'db-1']) {
      const { sessionId } = await runCommand(fx.relay, { ...fx.meta, agent }, 'true');
      const status = await call(fx.relay, 'GetSessionStatus', { session_id: sessionId }, fx.meta);
      assert.equal(status.agent_hostname, 'db-1', agent);
      assert.equal(status.ended, true);
    }
    const agentStatus = await call(fx.relay, 'GetSessionStatus', { session_id: agentSession }, fx.meta);
    assert.deepEqual([agentStatus.exists, agentStatus.status, agentStatus.agent_hostname], [true, 'CONNECTED', 'db-1']);
  });
});
