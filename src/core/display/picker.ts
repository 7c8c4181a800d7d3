// The one searchable picker behind every machine choice (Run Command, Open Shell, the CMDOP Shell profile,
// a runbook's Run on…): the first load shown busy, a search as the person types (debounced), the choices kept
// across searches, and the view disposed whatever happens, a first load that throws included.

/** The slice of VS Code's QuickPick the picker drives (tests pass a stand-in). */
export interface PickerView<T> {
  items: readonly T[];
  selectedItems: readonly T[];
  readonly activeItems: readonly T[];
  busy: boolean;
  readonly canSelectMany: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
  onDidAccept(listener: () => void): unknown;
  onDidHide(listener: () => void): unknown;
  onDidChangeValue(listener: (value: string) => void): unknown;
}

export interface PickerOptions<T> {
  /** The items for what the person typed ('' first); a failed search keeps the items shown. */
  load(text: string): Promise<readonly T[]>;
  /** Whether two items are the same choice (kept selected across searches). */
  same(a: T, b: T): boolean;
  searchDelayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** Resolves with the chosen items (the active one when none is ticked), or undefined when dismissed. */
export async function runPicker<T>(view: PickerView<T>, options: PickerOptions<T>): Promise<readonly T[] | undefined> {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  let timer: unknown;
  try {
    view.busy = true;
    view.show();
    view.items = await options.load('');
    view.busy = false;
    const search = async (text: string) => {
      view.busy = true;
      const chosen = view.selectedItems;
      const found = await options.load(text).catch(() => view.items);
      const kept = chosen.filter((c) => !found.some((f) => options.same(f, c)));
      view.items = [...kept, ...found];
      if (view.canSelectMany) view.selectedItems = view.items.filter((i) => chosen.some((c) => options.same(c, i)));
      view.busy = false;
    };
    view.onDidChangeValue((value) => {
      clearTimer(timer);
      timer = setTimer(() => void search(value.trim()), options.searchDelayMs ?? 250);
    });
    return await new Promise<readonly T[] | undefined>((resolve) => {
      view.onDidAccept(() => {
        resolve(view.selectedItems.length ? view.selectedItems : view.activeItems);
        view.hide();
      });
      view.onDidHide(() => resolve(undefined));
    });
  } finally {
    clearTimer(timer);
    view.dispose();
  }
}
