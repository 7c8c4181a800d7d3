import { Emitter } from './emitter';
import type { SecretStore, StateStore } from './storage';

/** What we remember about a stored key besides the secret itself; safe to keep in globalState. */
export interface StoredKeyInfo {
  fleetId: string;
  fleetName: string;
  keyName: string;
  relay?: string;
  addedAt: string;
}

const INDEX_KEY = 'cmdop.apiKeys';
const secretKey = (fleetId: string) => `cmdop.apiKey.${fleetId}`;

/** One API key per fleet: the secret in SecretStorage, the non-secret description in globalState. */
export class FleetKeyStore {
  private readonly changes = new Emitter();
  readonly onDidChange = this.changes.event;

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: StateStore,
  ) {}

  list(): StoredKeyInfo[] {
    return [...(this.state.get<StoredKeyInfo[]>(INDEX_KEY) ?? [])];
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
    // Secret first: an index entry without its secret would be a key the user believes is saved.
    await this.secrets.store(secretKey(info.fleetId), secret);
    const rest = this.list().filter((k) => k.fleetId !== info.fleetId);
    await this.state.update(INDEX_KEY, [...rest, info]);
    this.changed();
  }

  async remove(fleetId: string): Promise<void> {
    await this.state.update(
      INDEX_KEY,
      this.list().filter((k) => k.fleetId !== fleetId),
    );
    await this.secrets.delete(secretKey(fleetId));
    this.changed();
  }

  private changed(): void {
    this.changes.fire();
  }
}
