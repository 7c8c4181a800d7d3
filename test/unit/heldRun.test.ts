import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldRun } from '../../src/core/commands/heldRun';

const runs = [{ id: 1, command: 'uptime' }];

test('a forged run object is replaced by the held run with the same id (its command is ignored)', () => {
  assert.equal(heldRun(runs, { run: { id: 1, command: 'rm -rf /' } })?.command, 'uptime');
});

test('an unknown run id is refused with a message that says what to do', () => {
  assert.throws(() => heldRun(runs, { run: { id: 99, command: 'rm -rf /' } }), /not in the Runs view: pick a run/);
});

test('no argument means the newest run', () => {
  assert.equal(heldRun(runs, undefined)?.id, 1);
});
