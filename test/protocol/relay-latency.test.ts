import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CMDOPClient } from '@cmdop/node';
import { useFleetRelay } from './support/fleetRelay';
import { call, runCommand } from './support/relayClient';

const LATENCY_MS = 80;

describe('relay latency (--latency): every call and message delayed each way', () => {
  const fx = useFleetRelay({ latencyMs: LATENCY_MS });

  it('a unary call costs at least one delayed round trip', async () => {
    const began = performance.now();
    const health = await call(fx.relay, 'HealthCheck', {}, fx.meta);
    assert.equal(health.healthy, true);
    assert.ok(performance.now() - began >= 2 * LATENCY_MS - 1, 'request and answer were each delayed');
  });

  it('streams keep their order and their tail; the stream arrives one delayed round trip late at least', async () => {
    const began = performance.now();
    const { output, exit } = await runCommand(fx.relay, fx.meta, 'seq 1 3000; printf tail; exit 4');
    const expected = `${Array.from({ length: 3000 }, (_, i) => String(i + 1)).join('\r\n')}\r\ntail`;
    assert.equal(output.toString(), expected);
    assert.equal(exit?.exit_code, 4);
    // CreateSession, then StreamSessionOutput: two round trips.
    assert.ok(performance.now() - began >= 4 * LATENCY_MS - 1);
  });

  it('the public SDK works through it (its attach stream included)', async () => {
    const sdk = CMDOPClient.remote(fx.meta.token, { server: fx.server.relays['acme-prod'], insecure: true });
    try {
      await sdk.terminal.setMachine('web-1', false);
      const result = await sdk.terminal.execute('echo "through the delay"');
      assert.equal(result.exitCode, 0);
      assert.match(result.output, /through the delay/);
    } finally {
      await sdk.close();
    }
  });
});
