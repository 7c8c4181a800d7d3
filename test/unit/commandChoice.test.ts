import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedCommand } from '../../src/core/fanOut/commandHistory';

describe('which command the command picker runs', () => {
  const recent = (command: string) => ({ command, recent: true });

  it('a recent command picked with nothing typed, or with text that filters to it, runs', () => {
    assert.equal(acceptedCommand('', recent('sleep 30')), 'sleep 30');
    assert.equal(acceptedCommand('sle', recent('sleep 30')), 'sleep 30');
    assert.equal(acceptedCommand('SL 30', recent('sleep 30')), 'sleep 30', 'the filter matches in order, ignoring case and spaces');
  });

  it('typed text the active recent entry cannot match wins: the list lagged behind the typist', () => {
    const typed = 'if [ "$HOSTNAME" = db-1 ]; then echo odd; fi';
    assert.equal(acceptedCommand(typed, recent('sleep 30')), typed);
    assert.equal(acceptedCommand('uptime  ', recent('sleep 30')), 'uptime');
  });

  it('the typed entry, or none, runs the typed text; nothing typed and nothing picked runs nothing', () => {
    assert.equal(acceptedCommand('echo hi', { command: 'echo h', recent: false }), 'echo hi');
    assert.equal(acceptedCommand('echo hi', undefined), 'echo hi');
    assert.equal(acceptedCommand('   ', undefined), undefined);
  });
});
