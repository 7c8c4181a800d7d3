import { Emitter } from '../emitter';
import type { SecretStore, StateStore } from '../windows/storage';

/** What we remember about a stored key besides the secret itself; holds nothing secret. */
export interface StoredKeyInfo {
  fleetId: string;
  fleetName: string;
  keyName: string;
  relay?: string;
  addedAt: string;
  /** The endpoints the key was added for (endpointsFingerprint); absent on keys stored before it was recorded. */
  boundTo?: string;
}

/** The index's name in globalState (a synchronous mirror) and in SecretStorage (the truth every window follows). */
const INDEX_KEY = 'cmdop.apiKeys';
const SECRET_PREFIX = 'cmdop.apiKey.';
const secretKey = (fleetId: string) => `${SECRET_PREFIX}${fleetId}`;

/**
 * One API key per fleet, in SecretStorage. The list of stored keys is kept there too, because SecretStorage is
 * what every window shares and announces changes of; globalState holds a mirror so list() can answer at once.
 */
export class FleetKeyStore {
  private readonly changes = new Emitter();
  readonly onDidChange = this.changes.event;
  private index: StoredKeyInfo[];
  private readonly watcher: { dispose(): void } | undefined;
  private reading = Promise.resolve();
  /** Resolves once the index has been read from SecretStorage. */
  readonly ready: Promise<void>;

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: StateStore,
    /** The current endpoints' fingerprint, stamped on every key saved from now on. */
    private readonly boundTo?: string,
  ) {
    this.index = [...(state.get<StoredKeyInfo[]>(INDEX_KEY) ?? [])];
    this.watcher = secrets.onDidChange?.((e) => {
      if (e.key === INDEX_KEY || e.key.startsWith(SECRET_PREFIX)) void this.reload();
    });
    this.ready = this.reload();
  }

  list(): StoredKeyInfo[] {
    return [...this.index];
  }

  find(fleetIdOrName: string): StoredKeyInfo | undefined {
    const wanted = fleetIdOrName.trim();
    const all = this.list();
    return all.find((k) => k.fleetId === wanted) ?? all.find((k) => k.fleetName.toLowerCase() === wanted.toLowerCase());
  }

  async secretFor(fleetId: string): Promise<string | undefined> {
    return this.secrets.get(secretKey(fleetId));
  }

  async save(info: StoredKeyInfo, secret: string): Promise<void> {
    await this.ready;
    info = { ...info, boundTo: info.boundTo ?? this.boundTo };
    // Secret first: an index entry without its secret would be a key the user believes is saved.
    await this.secrets.store(secretKey(info.fleetId), secret);
    await this.writeIndex([...this.index.filter((k) => k.fleetId !== info.fleetId), info]);
  }

  async remove(fleetId: string): Promise<void> {
    await this.ready;
    await this.writeIndex(this.index.filter((k) => k.fleetId !== fleetId));
    await this.secrets.delete(secretKey(fleetId));
  }

  dispose(): void {
    this.watcher?.dispose();
  }

  private async writeIndex(next: StoredKeyInfo[]): Promise<void> {
    await this.secrets.store(INDEX_KEY, JSON.stringify(next));
    await this.adopt(next);
  }

  /** Reads the shared index again (another window may have added or removed a key). */
  reload(): Promise<void> {
    this.reading = this.reading.then(async () => {
      const text = await this.secrets.get(INDEX_KEY);
      if (text === undefined) {
        // Before this version the index lived only in globalState: carry it over once.
        if (this.index.length > 0) await this.secrets.store(INDEX_KEY, JSON.stringify(this.index));
        return;
      }
      await this.adopt(parseIndex(text));
    });
    return this.reading;
  }

  private async adopt(next: StoredKeyInfo[]): Promise<void> {
    if (JSON.stringify(next) === JSON.stringify(this.index)) return;
    this.index = next;
    // Announce first: the globalState mirror is only for the next start, and its write can be slow.
    this.changes.fire();
    await this.state.update(INDEX_KEY, next);
  }
}

function parseIndex(text: string): StoredKeyInfo[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (k): k is StoredKeyInfo => !!k && typeof k.fleetId === 'string' && typeof k.fleetName === 'string' && typeof k.keyName === 'string',
    );
  } catch {
    return [];
  }
}
