import type { SecretStore } from '../windows/storage';
import type { OAuthSession } from './tokens';

/** Who is refreshing the session right now; shared by every window through SecretStorage. Holds no secret. */
interface RefreshLease {
  owner: string;
  until: number;
}

/** The OAuth session of one mode (prod, dev), kept whole in SecretStorage: the one truth for every window. */
export class SessionStore {
  constructor(
    private readonly secrets: SecretStore,
    readonly mode: string,
    /** The current endpoints' fingerprint: a session signed in against other endpoints is not used here. */
    private readonly boundTo?: string,
  ) {}

  private get key(): string {
    return `cmdop.oauth.${this.mode}`;
  }

  private get leaseKey(): string {
    return `cmdop.oauth.${this.mode}.refreshing`;
  }

  async load(): Promise<OAuthSession | undefined> {
    const text = await this.secrets.get(this.key);
    if (!text) return undefined;
    try {
      const session = JSON.parse(text) as OAuthSession;
      if (typeof session.accessToken !== 'string') return undefined;
      // Signed in while cmdop.endpoints named other hosts: its tokens are never sent to these (sign in again).
      if (session.boundTo && this.boundTo && session.boundTo !== this.boundTo) return undefined;
      return session;
    } catch {
      // A damaged entry cannot be used; treat it as signed out rather than failing every call.
      return undefined;
    }
  }

  async save(session: OAuthSession): Promise<void> {
    await this.secrets.store(this.key, JSON.stringify({ ...session, boundTo: session.boundTo ?? this.boundTo }));
  }

  async clear(): Promise<void> {
    await this.secrets.delete(this.key);
  }

  /** Calls back when the stored session changes, whichever window changed it; undefined when the storage cannot tell. */
  watch(listener: () => void): { dispose(): void } | undefined {
    return this.secrets.onDidChange?.((e) => {
      if (e.key === this.key) listener();
    });
  }

  /**
   * Elects one refreshing window. SecretStorage has no compare-and-set, so a window writes its claim, waits
   * for concurrent claims to land, and reads back: the last writer wins and every contender sees the same winner.
   * Returns false while another window holds a live lease.
   */
  async claimRefresh(owner: string, now: number, leaseMs: number, settle: () => Promise<void>): Promise<boolean> {
    const held = await this.readLease();
    if (held && held.owner !== owner && held.until > now) return false;
    await this.secrets.store(this.leaseKey, JSON.stringify({ owner, until: now + leaseMs } satisfies RefreshLease));
    await settle();
    return (await this.readLease())?.owner === owner;
  }

  /** Gives the lease back (only if still ours) so the next rotation does not wait for it to lapse. */
  async releaseRefresh(owner: string): Promise<void> {
    if ((await this.readLease())?.owner === owner) await this.secrets.delete(this.leaseKey);
  }

  private async readLease(): Promise<RefreshLease | undefined> {
    const text = await this.secrets.get(this.leaseKey);
    if (!text) return undefined;
    try {
      const lease = JSON.parse(text) as RefreshLease;
      return typeof lease.owner === 'string' && typeof lease.until === 'number' ? lease : undefined;
    } catch {
      return undefined;
    }
  }
}
