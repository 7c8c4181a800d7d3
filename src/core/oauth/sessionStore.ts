import type { SecretStore } from '../storage';
import type { OAuthSession } from './tokens';

/** The OAuth session of one mode (prod, dev), kept whole in SecretStorage. */
export class SessionStore {
  constructor(
    private readonly secrets: SecretStore,
    readonly mode: string,
  ) {}

  private get key(): string {
    return `cmdop.oauth.${this.mode}`;
  }

  async load(): Promise<OAuthSession | undefined> {
    const text = await this.secrets.get(this.key);
    if (!text) return undefined;
    try {
      const session = JSON.parse(text) as OAuthSession;
      return typeof session.accessToken === 'string' ? session : undefined;
    } catch {
      // A damaged entry cannot be used; treat it as signed out rather than failing every call.
      return undefined;
    }
  }

  async save(session: OAuthSession): Promise<void> {
    await this.secrets.store(this.key, JSON.stringify(session));
  }

  async clear(): Promise<void> {
    await this.secrets.delete(this.key);
  }
}
