import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Machine } from '../../src/core/fleet/fleetApi';
import { machine } from './support/machine';
import { PagedList } from '../../src/core/fleet/pagedList';
import { diffMachines, type PollTimers, PresencePoller } from '../../src/core/fleet/presence';

/** A hand-driven clock: advance() runs the timers that fall due. */
class FakeTimers implements PollTimers {
  private t = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => void this.pending.delete(id as number);
  get scheduled(): number {
    return this.pending.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}

describe('presence: diffing loaded machines', () => {
  it('reports only the rows whose presence or details changed', () => {
    const before = [machine('a'), machine('b'), machine('c', false)];
    const after = [machine('a'), machine('b', true, { last_seen: '2026-11-22T10:05:00Z' }), machine('c', false)];
    assert.deepEqual(diffMachines(before, after), { changed: ['b'], reordered: false });
    assert.deepEqual(
      diffMachines(
        before,
        before.map((m) => ({ ...m })),
      ),
      { changed: [], reordered: false },
    );
  });

  it('a machine that went offline and moved down the list is a reorder', () => {
    const before = [machine('a'), machine('b'), machine('c', false)];
    const after = [machine('b'), machine('a', false), machine('c', false)];
    const diff = diffMachines(before, after);
    assert.equal(diff.reordered, true);
    assert.deepEqual(diff.changed, ['a']);
    assert.equal(diffMachines(before, before.slice(0, 2)).reordered, true);
  });
});

const byId = (m: Machine) => m.id;

describe('presence: reloading the loaded pages', () => {
  it('fetches exactly the pages loaded so far, once each, and concurrent reloads share the requests', async () => {
    const calls: number[] = [];
    let online = true;
    const list = new PagedList<Machine>(async ({ page }) => {
      calls.push(page);
      await new Promise((r) => setTimeout(r, 5));
      return { results: [machine(`m${page}a`, online), machine(`m${page}b`)], has_next: page < 100 };
    }, byId);
    await list.loadMore();
    await list.loadMore();
    calls.length = 0;
    online = false;
    const [first, second] = await Promise.all([list.reloadLoaded(), list.reloadLoaded()]);
    assert.deepEqual(calls, [1, 2]);
    assert.equal(first, second);
    assert.equal(list.loaded.length, 4);
    assert.equal(list.loaded[0].is_online, false);
    assert.equal(list.hasMore, true);
  });

  it('drops a machine that shifted onto the next page between two requests, and reloads nothing before the first page', async () => {
    let shifted = false;
    const list = new PagedList<Machine>(async ({ page }) => {
      if (page === 1) return { results: shifted ? [machine('b'), machine('c')] : [machine('a'), machine('b')], has_next: true };
      return { results: shifted ? [machine('c'), machine('d')] : [machine('c'), machine('d')], has_next: true };
    }, byId);
    let fetched = 0;
    const empty = new PagedList<Machine>(async () => {
      fetched++;
      return { results: [], has_next: false };
    }, byId);
    await empty.reloadLoaded();
    assert.equal(fetched, 0);
    await list.loadMore();
    await list.loadMore();
    shifted = true;
    await list.reloadLoaded();
    assert.deepEqual(
      list.loaded.map((m) => m.id),
      ['b', 'c', 'd'],
    );
  });
});

describe('presence: the poller', () => {
  function setup(interval = 10_000) {
    const timers = new FakeTimers();
    let polls = 0;
    let release: (() => void) | undefined;
    let slow = false;
    const poller = new PresencePoller(
      () => {
        polls++;
        return slow ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      interval,
      timers,
    );
    return {
      timers,
      poller,
      polls: () => polls,
      slow: (on: boolean) => (slow = on),
      release: () => release?.(),
    };
  }

  it('polls once per interval while visible and focused', async () => {
    const s = setup();
    s.poller.setVisible(true);
    await s.timers.advance(0);
    assert.equal(s.polls(), 1, 'first poll when the view shows');
    await s.timers.advance(60_000);
    assert.equal(s.polls(), 7);
  });

  it('pauses while hidden or unfocused, and catches up at once when shown again after a long pause', async () => {
    const s = setup();
    s.poller.setVisible(true);
    await s.timers.advance(0);
    s.poller.setVisible(false);
    await s.timers.advance(60_000);
    assert.equal(s.polls(), 1, 'no polls while hidden');
    assert.equal(s.timers.scheduled, 0, 'no timer left running while hidden');
    s.poller.setVisible(true);
    await s.timers.advance(0);
    assert.equal(s.polls(), 2);
    s.poller.setFocused(false);
    await s.timers.advance(60_000);
    assert.equal(s.polls(), 2, 'no polls while the window is unfocused');
    s.poller.setFocused(true);
    await s.timers.advance(0);
    assert.equal(s.polls(), 3);
    // Quickly hidden and shown again: the next poll still waits for the rest of the interval.
    s.poller.setVisible(false);
    s.poller.setVisible(true);
    await s.timers.advance(9_000);
    assert.equal(s.polls(), 3);
    await s.timers.advance(1_000);
    assert.equal(s.polls(), 4);
  });

  it('never overlaps polls: a slow poll delays the next tick instead of stacking another', async () => {
    const s = setup(1_000);
    s.slow(true);
    s.poller.setVisible(true);
    await s.timers.advance(0);
    await s.timers.advance(10_000);
    assert.equal(s.polls(), 1, 'the slow poll has not settled, so no second one started');
    s.poller.setInterval(1_000); // a settings change while in flight must not start a second one either
    await s.timers.advance(5_000);
    assert.equal(s.polls(), 1);
    s.slow(false);
    s.release();
    await s.timers.advance(0);
    assert.equal(s.polls(), 2, 'overdue, so the next poll runs as soon as the slow one settles');
  });

  it('an interval of 0 turns polling off; a manual refresh restarts the clock; dispose stops it', async () => {
    const s = setup(0);
    s.poller.setVisible(true);
    await s.timers.advance(60_000);
    assert.equal(s.polls(), 0);
    s.poller.setInterval(10_000);
    await s.timers.advance(0);
    assert.equal(s.polls(), 1);
    await s.timers.advance(5_000);
    s.poller.restartClock();
    await s.timers.advance(9_000);
    assert.equal(s.polls(), 1);
    await s.timers.advance(1_000);
    assert.equal(s.polls(), 2);
    s.poller.dispose();
    await s.timers.advance(60_000);
    assert.equal(s.polls(), 2);
  });
});
