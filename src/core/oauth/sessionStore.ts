import type { SecretStore } from '../windows/storage';
import type { OAuthSession } from './tokens';

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
}
