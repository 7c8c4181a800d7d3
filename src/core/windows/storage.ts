/** The slice of VS Code's SecretStorage the core needs; tests pass an in-memory stand-in. */
export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
  /**
   * Fires when a secret changes, in this window or another one sharing the storage.
   * Optional so a store without change events still works (it just does not follow other windows).
   */
  onDidChange?: (listener: (event: { key: string }) => unknown) => { dispose(): void };
}

/** The slice of VS Code's Memento the core needs (never given a secret). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
  /** Fires with the key when another window changed a value (only stores shared live between windows have it). */
  onDidChange?: (listener: (key: string) => unknown) => { dispose(): void };
}
