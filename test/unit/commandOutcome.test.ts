// How a command's session ended decides what is reported: the command's exit code, or an error with the
// relay's reason when the session ended for another reason (never a made-up exit 0).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionEndedError } from '../../src/core/errors';
import { exitFromReason } from '../../src/core/relay/attachedSession';
import { commandOutcome } from '../../src/core/relay/commandRun';
import { endWithoutMarker, markedCommandLine, singleQuoted } from '../../src/core/relay/markedCommand';

describe('commandOutcome', () => {
  test("the command's own exit is its result, 0 included", () => {
    assert.deepEqual(commandOutcome('web-1', { code: 0, signal: 0, reason: 'exited' }), { exitCode: 0, signal: 0 });
    assert.deepEqual(commandOutcome('web-1', { code: 3, signal: 0, reason: 'exited' }), { exitCode: 3, signal: 0 });
    assert.deepEqual(commandOutcome('web-1', { code: 0, signal: 9, reason: 'exited' }), { exitCode: 0, signal: 9 });
  });

  for (const reason of ['closed', 'machine stopped', 'agent lost', 'closed by an administrator']) {
    test(`a session ${reason} is an error with that reason, not exit 0`, () => {
      const outcome = commandOutcome('web-1', { code: 0, signal: 0, reason });
      assert.ok(outcome instanceof SessionEndedError);
      assert.equal(outcome.reason, reason);
      assert.match(outcome.message, new RegExp(`web-1.*${reason}`));
    });
  }

  test('a close that killed the process names the signal too', () => {
    const outcome = commandOutcome('web-1', { code: 0, signal: 1, reason: 'closed' });
    assert.ok(outcome instanceof SessionEndedError);
    assert.equal(outcome.reason, 'closed, killed by signal 1');
  });
});

describe('exitFromReason (upstream CloseSessionCommand)', () => {
  test('a reason with a code or a signal is an exit', () => {
    assert.deepEqual(exitFromReason('exited with code 3'), { code: 3, signal: 0, reason: 'exited' });
    assert.deepEqual(exitFromReason('closed, killed by signal 9'), { code: 0, signal: 9, reason: 'closed' });
  });

  test('a reason without a code keeps the relay words and never becomes exit 0', () => {
    for (const [text, reason] of [
      ['session terminated by administrator', 'session terminated by administrator'],
      ['', 'ended without an exit code'],
      ['exited', 'ended without an exit code'],
    ]) {
      const exit = exitFromReason(text);
      assert.equal(exit.reason, reason);
      assert.notEqual(exit.code, 0);
      const outcome = commandOutcome('web-1', exit);
      assert.ok(outcome instanceof SessionEndedError, text);
      assert.equal(outcome.reason, reason);
    }
  });
});

describe('marked command line', () => {
  test('a shell gone before the start marker is no exit of the command', () => {
    const exit = endWithoutMarker({ code: 0, signal: 0, reason: 'exited' }, false);
    assert.ok(commandOutcome('web-1', exit) instanceof SessionEndedError);
    assert.match(exit.reason, /before the command began/);
  });

  test('a command that exits the shell itself keeps its code', () => {
    assert.deepEqual(endWithoutMarker({ code: 3, signal: 0, reason: 'exited' }, true), { code: 3, signal: 0, reason: 'exited' });
  });

  test("the user's command is one single-quoted eval word, so its syntax cannot swallow the end marker", () => {
    assert.equal(singleQuoted(`echo 'a' "b`), `'echo '\\''a'\\'' "b'`);
    const line = markedCommandLine('echo "abc', 'id1');
    assert.match(line, /; eval 'echo "abc'; printf '%s:%s:%d\\n' CMDOP-END id1 \$\?\n$/);
    assert.equal(line.split('\n').length, 2, 'one typed line');
  });
});
