import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMAND_IDS, commandFailure } from '../../src/core/commands/commandPolicy';
import { NotConfiguredError, NotSignedInError } from '../../src/core/errors';

describe('the command table', () => {
  it('has exactly the cmdop.* commands package.json contributes, each once', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).filter((id) => id.startsWith('cmdop.'));
    assert.equal(new Set(COMMAND_IDS).size, COMMAND_IDS.length, 'an id is listed twice');
    assert.deepEqual([...COMMAND_IDS].sort(), contributed.sort());
  });
});

describe('what a failed command shows', () => {
  it('a cancellation is silent', () => {
    const canceled = Object.assign(new Error('Canceled'), { name: 'Canceled' });
    assert.deepEqual(commandFailure('cmdop.openShell', canceled), { kind: 'silent' });
  });

  it('a typed error shows its own advice once, and the log line has the stack and the cause', () => {
    const err = new NotSignedInError();
    (err as { cause?: unknown }).cause = new Error('socket hang up');
    const failure = commandFailure('cmdop.runCommand', err);
    assert.equal(failure.kind, 'report');
    if (failure.kind !== 'report') return;
    assert.equal(failure.message, `CMDOP: ${err.message}`);
    assert.match(failure.logLine, /^cmdop\.runCommand failed: NotSignedInError: Not signed in/);
    assert.match(failure.logLine, /\n {4}at /, 'the stack is in the log line');
    assert.match(failure.logLine, /caused by: Error: socket hang up/);
  });

  it('a message that already starts with CMDOP is not prefixed twice', () => {
    const failure = commandFailure('cmdop.signIn', new NotConfiguredError());
    assert.equal(failure.kind === 'report' && failure.message, 'CMDOP is not configured correctly; see "CMDOP: Show Log".');
  });

  it('an unexpected error points at the log, where its stack is', () => {
    const failure = commandFailure('cmdop.runs.cancel', new TypeError('x is undefined'));
    assert.equal(failure.kind === 'report' && failure.message, 'CMDOP: x is undefined (details in "CMDOP: Show Log").');
  });
});
