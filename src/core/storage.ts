/** The slice of VS Code's SecretStorage the core needs; tests pass an in-memory stand-in. */
export interface SecretStore {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** The slice of VS Code's Memento the core needs (never given a secret). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}
