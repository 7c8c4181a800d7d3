import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machine } from './support/machine';
import { canUseSessions, lastSeenLabel, machineDescription, pickerOrder } from '../../src/core/fleet/machines';
import { PagedList } from '../../src/core/fleet/pagedList';

describe('machines', () => {
  it('guests are observer-only, every other role may run', () => {
    assert.equal(canUseSessions('Guest'), false);
    for (const role of ['Owner', 'Admin', 'Member'] as const) assert.equal(canUseSessions(role), true);
  });

  it('describes last seen in short human terms', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    assert.equal(lastSeenLabel('2026-11-22T11:59:30Z', now), 'just now');
    assert.equal(lastSeenLabel('2026-11-22T11:45:00Z', now), '15 min ago');
    assert.equal(lastSeenLabel('2026-11-22T09:00:00Z', now), '3 h ago');
    assert.equal(lastSeenLabel('2026-11-19T12:00:00Z', now), '3 d ago');
    assert.equal(lastSeenLabel(null, now), 'never seen');
    assert.equal(machineDescription(machine('a', false), now), 'linux · 2 h ago');
    assert.equal(machineDescription(machine('a', true), now), 'linux · online');
  });

  it('orders the picker online first, then recently used, then by name', () => {
    const list = [machine('c', false), machine('b', true), machine('a', true), machine('d', false)];
    const ordered = pickerOrder(list, ['d.local', 'b.local']).map((m) => m.name);
    assert.deepEqual(ordered, ['b', 'a', 'd', 'c']);
  });

  it('pages are fetched one at a time and only on demand, concurrent asks sharing one request', async () => {
    const asked: number[] = [];
    const list = new PagedList(
      async ({ page }) => {
        asked.push(page);
        return { results: [page * 10, page * 10 + 1], has_next: page < 2 };
      },
      (n) => String(n),
    );
    assert.deepEqual(asked, []);
    await Promise.all([list.loadMore(), list.loadMore()]);
    assert.deepEqual(asked, [1]);
    assert.equal(list.hasMore, true);
    await list.loadMore();
    await list.loadMore();
    assert.deepEqual(asked, [1, 2]);
    assert.deepEqual(list.loaded, [10, 11, 20, 21]);
    assert.equal(list.hasMore, false);
  });
});
