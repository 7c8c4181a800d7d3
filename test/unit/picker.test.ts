// The machine picker's lifecycle on a stand-in QuickPick: disposed when the first load throws, when dismissed and
// when accepted; a search replaces the items and keeps what was ticked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PickerView, runPicker } from '../../src/core/display/picker';

class FakePick implements PickerView<string> {
  items: readonly string[] = [];
  selectedItems: readonly string[] = [];
  activeItems: readonly string[] = [];
  busy = false;
  disposed = 0;
  shown = false;
  private accept = () => {};
  private hideListener = () => {};
  private change = (_value: string) => {};
  constructor(readonly canSelectMany = false) {}
  show() {
    this.shown = true;
  }
  hide() {
    this.hideListener();
  }
  dispose() {
    this.disposed++;
  }
  onDidAccept(listener: () => void) {
    this.accept = listener;
  }
  onDidHide(listener: () => void) {
    this.hideListener = listener;
  }
  onDidChangeValue(listener: (value: string) => void) {
    this.change = listener;
  }
  type(value: string) {
    this.change(value);
  }
  pick(...items: string[]) {
    this.selectedItems = items;
    this.accept();
  }
}

/** Timers run when the test says so. */
function manualTimers() {
  const due: (() => void)[] = [];
  return { setTimer: (fn: () => void) => due.push(fn), clearTimer: () => undefined, fire: () => due.splice(0).forEach((fn) => fn()) };
}

const same = (a: string, b: string) => a === b;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(check());
};

describe('machine picker', () => {
  it('is disposed when the first load throws, and the error reaches the caller', async () => {
    const view = new FakePick();
    await assert.rejects(runPicker(view, { load: async () => Promise.reject(new Error('server down')), same }), /server down/);
    assert.equal(view.disposed, 1);
    assert.ok(view.shown, 'it was shown busy while loading');
  });

  it('is disposed when dismissed, resolving undefined', async () => {
    const view = new FakePick();
    const result = runPicker(view, { load: async () => ['web-1'], same });
    await until(() => view.items.length === 1);
    view.hide();
    assert.equal(await result, undefined);
    assert.equal(view.disposed, 1);
  });

  it('searches as typed, keeps ticked machines across searches, and returns the choice', async () => {
    const view = new FakePick(true);
    const timers = manualTimers();
    const loads: string[] = [];
    const result = runPicker(view, {
      load: async (text) => {
        loads.push(text);
        return text ? [`${text}-1`, `${text}-2`] : ['web-1', 'db-1'];
      },
      same,
      ...timers,
    });
    await until(() => view.items.length === 2 && !view.busy);
    view.selectedItems = ['db-1'];
    view.type(' lab ');
    timers.fire();
    await until(() => view.items.includes('lab-1'));
    assert.deepEqual(view.items, ['db-1', 'lab-1', 'lab-2']);
    assert.deepEqual(view.selectedItems, ['db-1']);
    view.pick('db-1', 'lab-2');
    assert.deepEqual(await result, ['db-1', 'lab-2']);
    assert.deepEqual(loads, ['', 'lab']);
    assert.equal(view.disposed, 1);
  });
});
