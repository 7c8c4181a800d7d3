import { Emitter } from '../../../src/core/emitter';
import type { RefreshElection } from '../../../src/core/oauth/tokenKeeper';
import type { SecretStore, StateStore } from '../../../src/core/windows/storage';

/**
 * In-memory stand-in for VS Code's SecretStorage. Several keepers given the same instance behave like
 * windows sharing one SecretStorage: every write is seen by all of them, with a change event.
 */
export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly changes = new Emitter<{ key: string }>();
  readonly onDidChange = this.changes.event;
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.fireLater(key);
  }
  async delete(key: string) {
    if (this.values.delete(key)) this.fireLater(key);
  }
  /** VS Code delivers the event after the write resolves; so does the stand-in. */
  private fireLater(key: string) {
    setImmediate(() => this.changes.fire({ key }));
  }
}

/** In-memory stand-in for VS Code's Memento (globalState). */
export class MemoryState implements StateStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown) {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

/**
 * The windows' refresh election in memory, as the extension's lock file (FileLease) decides it: one claimant
 * holds the lease until it gives it back or the lease lapses. Windows given the same instance share it.
 */
export class MemoryLease implements RefreshElection {
  holder: { owner: string; until: number } | undefined;
  async claim(owner: string, now: number, leaseMs: number): Promise<boolean> {
    if (this.holder && this.holder.owner !== owner && this.holder.until > now) return false;
    this.holder = { owner, until: now + leaseMs };
    return true;
  }
  async release(owner: string): Promise<void> {
    if (this.holder?.owner === owner) this.holder = undefined;
  }
}
