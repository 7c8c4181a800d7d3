import { Emitter } from '../emitter';
import type { SecretStore, StateStore } from './storage';

const PREFIX = 'cmdop.shared.';

/**
 * Choices every window must agree on at once, such as the active fleet. globalState alone reaches another
 * code-server page only after a storage flush (seconds), so each value also travels through SecretStorage,
 * which every window follows (see SecretPeers); globalState keeps it for the next start. Holds nothing secret.
 */
export class SharedState implements StateStore {
  private readonly changes = new Emitter<string>();
  /** A value changed in another window (the key is the state key). */
  readonly onDidChange = this.changes.event;
  private readonly latest = new Map<string, unknown>();
  private readonly watcher: { dispose(): void } | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: StateStore,
    shared: readonly string[],
  ) {
    this.watcher = secrets.onDidChange?.((e) => {
      const key = e.key.slice(PREFIX.length);
      if (e.key.startsWith(PREFIX) && shared.includes(key)) void this.reload(key);
    });
    for (const key of shared) void this.reload(key);
  }

  get<T>(key: string): T | undefined {
    return (this.latest.has(key) ? this.latest.get(key) : this.state.get<T>(key)) as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    this.latest.set(key, value);
    // Side by side: code-server can take seconds to confirm a globalState write, and the other windows
    // (told through SecretStorage) must not wait for it.
    await Promise.all([this.state.update(key, value), this.secrets.store(PREFIX + key, JSON.stringify(value ?? null))]);
  }

  dispose(): void {
    this.watcher?.dispose();
  }

  private async reload(key: string): Promise<void> {
    const text = await this.secrets.get(PREFIX + key);
    if (text === undefined) return;
    let value: unknown;
    try {
      value = JSON.parse(text) ?? undefined;
    } catch {
      return;
    }
    if (JSON.stringify(value) === JSON.stringify(this.get(key))) return;
    this.latest.set(key, value);
    this.changes.fire(key);
  }
}
