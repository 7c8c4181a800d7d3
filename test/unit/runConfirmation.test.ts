import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mustConfirmRun } from '../../src/core/commands/runConfirmation';

test('a request from outside our UI confirms even for one machine', () => {
  assert.equal(mustConfirmRun({ machineCount: 1, confirmAbove: 10, fromOwnUi: false, alreadyConfirmed: false }), true);
});

test('our own UI skips the modal at or below the threshold and asks above it', () => {
  assert.equal(mustConfirmRun({ machineCount: 10, confirmAbove: 10, fromOwnUi: true, alreadyConfirmed: false }), false);
  assert.equal(mustConfirmRun({ machineCount: 11, confirmAbove: 10, fromOwnUi: true, alreadyConfirmed: false }), true);
});

test('a run the person already confirmed is not asked again', () => {
  assert.equal(mustConfirmRun({ machineCount: 50, confirmAbove: 10, fromOwnUi: false, alreadyConfirmed: true }), false);
});
