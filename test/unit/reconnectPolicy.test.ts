import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReconnectBackoff } from '../../src/core/relay/reconnectPolicy';

/** Plays the policy against a fake clock: every attempt fails right after its wait. */
function schedule(backoff: ReconnectBackoff, clock: { now: number }): number[] {
  const waits: number[] = [];
  for (;;) {
    const wait = backoff.nextDelay();
    if (wait === undefined) return waits;
    waits.push(wait);
    clock.now += wait;
  }
}

describe('reconnect backoff', () => {
  it('doubles from 0.5 s, is capped at 15 s, and keeps trying for at least two minutes', () => {
    const clock = { now: 0 };
    const waits = schedule(new ReconnectBackoff({ now: () => clock.now }), clock);
    assert.deepEqual(waits.slice(0, 7), [500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    assert.ok(waits.every((w) => w <= 15_000));
    const total = waits.reduce((a, b) => a + b, 0);
    assert.ok(total >= 120_000, `retried for ${total} ms`);
    assert.ok(total < 120_000 + 15_000, `retried for ${total} ms, more than one cap past two minutes`);
  });

  it('starts again from the first wait after a successful reconnect', () => {
    const clock = { now: 0 };
    const backoff = new ReconnectBackoff({ now: () => clock.now });
    backoff.nextDelay();
    backoff.nextDelay();
    clock.now += 5000;
    backoff.reset();
    assert.equal(backoff.retrying, false);
    assert.equal(backoff.nextDelay(), 500);
    assert.equal(backoff.retrying, true);
  });

  it('gives up once the time is over even if the waits are short', () => {
    const clock = { now: 0 };
    const backoff = new ReconnectBackoff({ now: () => clock.now, initialMs: 10, maxMs: 10, giveUpAfterMs: 100 });
    assert.equal(schedule(backoff, clock).length, 10);
    assert.equal(backoff.nextDelay(), undefined);
  });
});
