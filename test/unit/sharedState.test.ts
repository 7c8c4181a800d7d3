// The active fleet chosen in one window reaches the others through SecretStorage, not only globalState.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedState } from '../../src/core/windows/sharedState';
import { MemorySecrets, MemoryState } from './support/memory';

const ACTIVE = 'cmdop.activeFleet.dev';
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('SharedState: choices every window follows at once', () => {
  it('a value set in one window is read and announced in another that shares the SecretStorage', async () => {
    const secrets = new MemorySecrets();
    // Each window has its own globalState copy (code-server syncs them only after a flush).
    const a = new SharedState(secrets, new MemoryState(), [ACTIVE]);
    const b = new SharedState(secrets, new MemoryState(), [ACTIVE]);
    const announced: string[] = [];
    b.onDidChange((key) => announced.push(key));
    await a.update(ACTIVE, 'acme-staging');
    await settle();
    assert.equal(a.get(ACTIVE), 'acme-staging');
    assert.equal(b.get(ACTIVE), 'acme-staging');
    assert.deepEqual(announced, [ACTIVE]);
    a.dispose();
    b.dispose();
  });

  it('keeps the value in globalState for the next start, and a new window starts from the shared one', async () => {
    const secrets = new MemorySecrets();
    const stateA = new MemoryState();
    const a = new SharedState(secrets, stateA, [ACTIVE]);
    await a.update(ACTIVE, 'acme-prod');
    assert.equal(stateA.get(ACTIVE), 'acme-prod');
    const staleState = new MemoryState();
    await staleState.update(ACTIVE, 'partner-lab');
    const late = new SharedState(secrets, staleState, [ACTIVE]);
    assert.equal(late.get(ACTIVE), 'partner-lab', 'globalState answers until the shared value is read');
    await settle();
    assert.equal(late.get(ACTIVE), 'acme-prod');
  });

  it('ignores keys it does not share and values that are not JSON', async () => {
    const secrets = new MemorySecrets();
    const b = new SharedState(secrets, new MemoryState(), [ACTIVE]);
    const announced: string[] = [];
    b.onDidChange((key) => announced.push(key));
    await secrets.store('cmdop.shared.other', '"x"');
    await secrets.store(`cmdop.shared.${ACTIVE}`, '{not json');
    await settle();
    assert.deepEqual(announced, []);
    assert.equal(b.get(ACTIVE), undefined);
  });
});
