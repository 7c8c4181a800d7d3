import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdaptiveConcurrency, isOverload } from '../../src/core/fanOut/concurrency';
import { type CommandExit, type CommandRunner, FanOut, type RunnerIo } from '../../src/core/fanOut/fanOut';
import { RelayCallError } from '../../src/core/relay/relayErrors';

/** Feeds `rounds` rounds of completions (as many as the limit each) with the same setup latency. */
function steady(c: AdaptiveConcurrency, rounds: number, setupMs = 40): number[] {
  const limits: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = c.limit; i > 0; i--) c.succeeded(setupMs);
    limits.push(c.limit);
  }
  return limits;
}

describe('adaptive fan-out concurrency', () => {
  test('grows under a steady latency: doubling each round up to the ceiling, never past it', () => {
    const c = new AdaptiveConcurrency({ ceiling: 128 });
    assert.equal(c.limit, 16, 'starts at 16');
    const limits = steady(c, 6);
    assert.deepEqual(limits.slice(0, 3), [32, 64, 128]);
    assert.ok(limits.every((l) => l <= 128));
    for (let i = 0; i < 10_000; i++) c.succeeded(40);
    assert.equal(c.limit, 128, 'the ceiling holds however long it runs');
  });

  test('starts at the ceiling when it is below 16, and at least 1', () => {
    assert.equal(new AdaptiveConcurrency({ ceiling: 4 }).limit, 4);
    assert.equal(new AdaptiveConcurrency({ ceiling: 0 }).limit, 1);
    assert.equal(new AdaptiveConcurrency({ ceiling: 100, initial: 500 }).limit, 100);
  });

  test('halves on overload, once per round, then grows by one per round', () => {
    const c = new AdaptiveConcurrency({ ceiling: 128 });
    steady(c, 3);
    assert.equal(c.limit, 128);
    c.overloaded();
    assert.equal(c.limit, 64);
    for (let i = 0; i < 20; i++) c.overloaded();
    assert.equal(c.limit, 64, 'a burst of refusals in one round is one decrease');
    for (let i = 0; i < 64; i++) c.overloaded();
    assert.equal(c.limit, 32, 'refusals the next round halve it again');
    const after = steady(c, 4);
    assert.ok(after[3] >= 35 && after[3] <= 36 && after.every((l, i) => i === 0 || l - after[i - 1] <= 1), `additive increase: ${after}`);
  });

  test('backs off when session setup gets slower than the fastest seen (the relay queues)', () => {
    const c = new AdaptiveConcurrency({ ceiling: 128 });
    steady(c, 2, 40);
    assert.equal(c.limit, 64);
    c.succeeded(40 * 3 + 50 + 1);
    assert.equal(c.limit, 48, 'three quarters');
    c.succeeded(500);
    assert.equal(c.limit, 48, 'at most once per round');
    steady(c, 1, 60);
    assert.equal(c.limit, 49, 'setup within the tolerance grows it again');
  });

  test('never goes below one', () => {
    const c = new AdaptiveConcurrency({ ceiling: 8 });
    for (let i = 0; i < 1000; i++) c.overloaded();
    assert.equal(c.limit, 1);
  });

  test('RESOURCE_EXHAUSTED and UNAVAILABLE are overload; other failures are not', () => {
    assert.equal(isOverload(new RelayCallError(14, 'unavailable')), true);
    assert.equal(isOverload({ code: 8 }), true);
    assert.equal(isOverload(new RelayCallError(7, 'denied')), false);
    assert.equal(isOverload(new Error('x')), false);
    assert.equal(isOverload(undefined), false);
  });
});

/** Machines whose sessions open after `setupMs` and then run until told to end (or aborted). */
class ControlledRunner implements CommandRunner {
  readonly open = new Map<string, { exit(code: number): void }>();
  readonly closed: string[] = [];
  peak = 0;

  constructor(private readonly behave: (hostname: string) => 'ok' | 'overload' = () => 'ok') {}

  run(hostname: string, _command: string, io: RunnerIo): Promise<CommandExit> {
    return new Promise((resolve, reject) => {
      if (this.behave(hostname) === 'overload') {
        setImmediate(() => reject(new RelayCallError(14, `Relay for fleet "f" is unavailable: too many sessions`)));
        return;
      }
      this.open.set(hostname, {
        exit: (code) => {
          this.open.delete(hostname);
          resolve({ exitCode: code });
        },
      });
      this.peak = Math.max(this.peak, this.open.size);
      io.onStarted?.();
      io.signal.addEventListener('abort', () => {
        this.open.delete(hostname);
        this.closed.push(hostname);
        reject(io.signal.reason);
      });
    });
  }

  /** Lets every open session end, and waits until the fan-out has started the next ones. */
  async finishOpen(): Promise<void> {
    for (const session of [...this.open.values()]) session.exit(0);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `node-${i + 1}`);

describe('fan-out with adaptive concurrency', () => {
  test('opens more sessions each round while setup holds, within the ceiling; every machine runs once', async () => {
    const runner = new ControlledRunner();
    const fanOut = new FanOut({ command: 'hostname', targets: hosts(500), runner, concurrency: 100, timeoutMs: 0 });
    const widths: number[] = [];
    while (!fanOut.isDone) {
      widths.push(runner.open.size);
      await runner.finishOpen();
    }
    const results = await fanOut.done;
    assert.deepEqual(widths.slice(0, 4), [16, 32, 64, 100]);
    assert.ok(runner.peak <= 100 && fanOut.peakConcurrency <= 100, `peak ${runner.peak} within the ceiling`);
    assert.equal(new Set(results.map((r) => r.hostname)).size, 500);
    assert.ok(results.every((r) => r.outcome === 'ok'));
  });

  test('refusals as overload shrink the window and are reported as errors', async () => {
    const refused = new Set(hosts(16).slice(0, 8));
    const runner = new ControlledRunner((h) => (refused.has(h) ? 'overload' : 'ok'));
    const fanOut = new FanOut({ command: 'x', targets: hosts(40), runner, concurrency: 64, timeoutMs: 0 });
    while (fanOut.counts().error < 8) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(fanOut.concurrencyLimit < 16, `backed off to ${fanOut.concurrencyLimit}`);
    while (!fanOut.isDone) await runner.finishOpen();
    const results = await fanOut.done;
    assert.equal(results.filter((r) => r.outcome === 'error').length, 8);
    assert.match(results.find((r) => r.outcome === 'error')!.detail!, /unavailable/);
  });

  test('cancel after it has grown still closes every open session and runs nothing more', async () => {
    const runner = new ControlledRunner();
    const fanOut = new FanOut({ command: 'x', targets: hosts(300), runner, concurrency: 128, timeoutMs: 0 });
    await runner.finishOpen();
    await runner.finishOpen();
    const open = [...runner.open.keys()];
    assert.equal(open.length, 64, 'grown to 64 open sessions');
    fanOut.cancel();
    const results = await fanOut.done;
    assert.deepEqual(runner.closed.sort(), open.sort(), 'every open session was closed');
    assert.equal(runner.open.size, 0);
    const c = fanOut.counts();
    assert.deepEqual([c.ok, c.cancelled, c.running, c.pending], [48, 300 - 48, 0, 0]);
    assert.equal(results.length, 300);
  });
});
