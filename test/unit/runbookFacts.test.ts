import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Machine, MachinePage } from '../../src/core/fleet/fleetApi';
import { FleetFacts, editDistance } from '../../src/core/runbook/fleetFacts';
import { parseRunbook } from '../../src/runbook-server/parseRunbook';

/** A 10,000-machine fleet behind a paged, searchable API that records every page it serves. */
function bigFleet(size = 10_000) {
  const machines: Machine[] = Array.from({ length: size }, (_, i) => {
    const hostname = `node-${String(i + 1).padStart(5, '0')}`;
    return { id: hostname, name: hostname, hostname, os: 'linux', is_online: i % 2 === 0, status: '', last_seen: null, agent_version: '1' };
  });
  const served: { search?: string; page: number }[] = [];
  return {
    served,
    source: {
      fleets: async () => ({ fleets: [{ id: 'big', name: 'Big', role: 'Member' as const }], activeFleetId: 'big' }),
      machines: async (_fleet: string, q: { page: number; pageSize: number; search?: string }): Promise<MachinePage> => {
        served.push({ search: q.search, page: q.page });
        const all = machines.filter((m) => !q.search || m.hostname.includes(q.search));
        const start = (q.page - 1) * q.pageSize;
        return { count: all.length, results: all.slice(start, start + q.pageSize), has_next: start + q.pageSize < all.length };
      },
    },
  };
}

describe('fleet facts for runbooks', () => {
  it('checks three hostnames in a 10,000-machine fleet with three searches, never a full listing', async () => {
    const fleet = bigFleet();
    const facts = new FleetFacts(fleet.source);
    const answer = await facts.machines('big', ['node-00001', 'node-09999', 'node-00002']);
    assert.equal(answer.machines['node-00001']?.online, true);
    assert.equal(answer.machines['node-00002']?.online, false);
    assert.equal(answer.machines['node-09999']?.hostname, 'node-09999');
    assert.equal(fleet.served.length, 3);
    assert.ok(
      fleet.served.every((r) => r.search),
      'every request is a search',
    );
    // Cached: asking again costs nothing.
    await facts.machines('big', ['node-00001', 'node-09999']);
    assert.equal(fleet.served.length, 3);
  });

  it('suggests the closest real hostname for a typo without listing the fleet', async () => {
    const fleet = bigFleet();
    const facts = new FleetFacts(fleet.source);
    const answer = await facts.machines('big', ['nod-00042']);
    assert.equal(answer.machines['nod-00042'], null);
    assert.equal(answer.suggestions['nod-00042'], 'node-00042');
    assert.ok(fleet.served.length <= 4 * 5, `${fleet.served.length} pages`);
    assert.ok(
      fleet.served.every((r) => r.search),
      'every request is a search',
    );
  });

  it('matches a glob by searching its literal part; a glob over everything stops and says truncated', async () => {
    const fleet = bigFleet();
    const facts = new FleetFacts(fleet.source);
    const globs = await facts.globMatches('big', ['node-0012?', '*']);
    assert.deepEqual(globs['node-0012?'].machines.map((m) => m.hostname).slice(0, 2), ['node-00120', 'node-00121']);
    assert.equal(globs['node-0012?'].machines.length, 10);
    assert.equal(globs['node-0012?'].truncated, false);
    assert.equal(globs['*'].truncated, true);
    assert.ok(fleet.served.length < 10_000 / 200, `${fleet.served.length} pages`);
  });

  it('a failed lookup is not cached', async () => {
    let fail = true;
    const facts = new FleetFacts({
      fleets: async () => ({ fleets: [] }),
      machines: async () => {
        if (fail) throw new Error('unreachable');
        return { count: 0, results: [], has_next: false };
      },
    });
    await assert.rejects(facts.machines('f', ['a']), /unreachable/);
    fail = false;
    assert.deepEqual((await facts.machines('f', ['a'])).machines, { a: null });
  });

  it('edit distance', () => {
    assert.equal(editDistance('wbe-1', 'web-1'), 2);
    assert.equal(editDistance('web-1', 'web-1'), 0);
  });
});

describe('runbook format', () => {
  it('reads the front matter (inline and YAML lists), shell blocks with @targets, and headings', () => {
    const runbook = parseRunbook(
      [
        '---',
        'fleet: acme-prod',
        'targets:',
        '  - web-1',
        '  - "db-*"',
        '---',
        '# Title',
        '~~~bash @web-2 @db-1 title',
        'echo $(date) | tr a b',
        '  indented',
        '~~~',
        '```js @web-1',
        'x',
        '```',
        '```sh',
        'last',
      ].join('\n'),
    );
    assert.equal(runbook.fleet?.text, 'acme-prod');
    assert.deepEqual(
      runbook.targets.map((t) => [t.text, t.line, t.start]),
      [
        ['web-1', 3, 4],
        ['db-*', 4, 5],
      ],
    );
    assert.deepEqual(runbook.headings, [{ line: 6, level: 1, text: 'Title' }]);
    assert.equal(runbook.blocks.length, 2);
    assert.deepEqual(
      runbook.blocks[0].targets.map((t) => [t.text, t.start, t.end]),
      [
        ['web-2', 9, 14],
        ['db-1', 16, 20],
      ],
    );
    assert.equal(runbook.blocks[0].body, 'echo $(date) | tr a b\n  indented');
    assert.equal(runbook.blocks[1].body, 'last');
    assert.equal(runbook.blocks[1].endLine, 15);
    const inline = parseRunbook('---\ntargets: [web-1, db-1]\n---\n');
    assert.deepEqual(
      inline.targets.map((t) => t.text),
      ['web-1', 'db-1'],
    );
  });
});
