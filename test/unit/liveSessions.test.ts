import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageLabel, sessionDescription, sessionsKey, toLiveSessions } from '../../src/core/fleet/liveSessions';

const item = (hostname: string, extra: Record<string, unknown> = {}) => ({
  session_id: `agent-${hostname}`,
  machine_hostname: hostname,
  machine_name: hostname,
  status: 'connected',
  connected_at: { seconds: String(Date.parse('2026-11-23T10:00:00Z') / 1000), nanos: 0 },
  ...extra,
});

describe('live sessions', () => {
  it('keeps connected sessions, running shells first, then by name; reads the extension fields when present', () => {
    const rows = toLiveSessions([
      item('web-1', { shared: true, shell_started: false }),
      item('batch-1', { status: 'disconnected' }),
      item('db-1', { shared: true, shell_started: true, attached_clients: 2, opened_by: 'alice@acme.test' }),
      item('api-1', { shared: false }),
    ]);
    assert.deepEqual(
      rows.map((r) => r.hostname),
      ['db-1', 'api-1', 'web-1'],
    );
    assert.deepEqual(rows[0], {
      id: 'agent-db-1',
      hostname: 'db-1',
      name: 'db-1',
      since: Date.parse('2026-11-23T10:00:00Z'),
      shared: true,
      shellRunning: true,
      attached: 2,
      openedBy: 'alice@acme.test',
    });
    assert.equal(rows[1].shared, false);
  });

  it('an upstream relay (no extension fields) still gives shared sessions with no claims about shells', () => {
    const [row] = toLiveSessions([item('web-1', { connected_at: null })]);
    assert.equal(row.shared, true);
    assert.equal(row.shellRunning, undefined);
    assert.equal(row.since, undefined);
    assert.equal(sessionDescription(row), 'shared');
  });

  it('describes a row: shared or private, who opened it, shell, attached, age', () => {
    const now = Date.parse('2026-11-23T10:05:30Z');
    const [db, , web] = toLiveSessions([
      item('web-1', { shell_started: false }),
      item('db-1', { shell_started: true, attached_clients: 2, opened_by: 'bob@acme.test', shared: false }),
      item('api-1'),
    ]);
    assert.equal(sessionDescription(db, now), 'private · opened by bob@acme.test · shell running · 2 attached · 5 min');
    assert.equal(sessionDescription(web, now), 'shared · idle · 5 min');
    assert.equal(ageLabel(now - 12_000, now), '12 s');
    assert.equal(ageLabel(now - 3 * 3600_000, now), '3 h');
    assert.equal(ageLabel(now - 2 * 86_400_000, now), '2 d');
  });

  it('the change key moves only when a row would look different', () => {
    const a = toLiveSessions([item('web-1', { shell_started: false })]);
    assert.equal(sessionsKey(a), sessionsKey(toLiveSessions([item('web-1', { shell_started: false })])));
    assert.notEqual(sessionsKey(a), sessionsKey(toLiveSessions([item('web-1', { shell_started: true })])));
  });
});
