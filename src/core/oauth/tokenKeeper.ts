import { Emitter } from '../emitter';
import { SessionExpiredError } from '../errors';
import type { IdentityProvider } from './oidcClient';
import type { SessionStore } from './sessionStore';
import { type OAuthSession, type TokenResponse, sessionFromTokens } from './tokens';

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface TokenKeeperOptions {
  store: SessionStore;
  idp: IdentityProvider;
  now?: () => number;
  refreshMarginMs?: number;
}

export type SessionChange = { session: OAuthSession | undefined; reason: 'signedIn' | 'refreshed' | 'signedOut' | 'expired'; detail?: string };

/**
 * Owns one mode's OAuth session: hands out an access token that is valid for at least the refresh margin,
 * refreshing 5 minutes before expiry with a single request however many callers ask at once.
 */
export class TokenKeeper {
  private readonly changes = new Emitter<SessionChange>();
  readonly onDidChange = this.changes.event;
  private cached: Promise<OAuthSession | undefined> | undefined;
  private refreshing: Promise<OAuthSession> | undefined;
  private readonly now: () => number;
  private readonly margin: number;

  constructor(private readonly options: TokenKeeperOptions) {
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
  }

  /** The stored session as is, without refreshing. */
  peek(): Promise<OAuthSession | undefined> {
    this.cached ??= this.options.store.load();
    return this.cached;
  }

  /** A session whose access token is good for at least the margin, refreshed if needed; undefined when signed out. */
  async session(): Promise<OAuthSession | undefined> {
    const session = await this.peek();
    if (!session) return undefined;
    if (!this.needsRefresh(session)) return session;
    return this.refresh(session);
  }

  needsRefresh(session: OAuthSession): boolean {
    return this.now() >= session.expiresAt - this.margin;
  }

  /** Milliseconds until the token enters the refresh window (0 when it already has). */
  msUntilRefresh(session: OAuthSession): number {
    return Math.max(0, session.expiresAt - this.margin - this.now());
  }

  async signedIn(tokens: TokenResponse, scopes: string[]): Promise<OAuthSession> {
    const session = { ...sessionFromTokens(tokens, this.now()), scopes };
    await this.options.store.save(session);
    this.cached = Promise.resolve(session);
    this.changes.fire({ session, reason: 'signedIn' });
    return session;
  }

  /** Revokes at the IdP (best effort: a dead IdP must not keep the user signed in) and forgets the session. */
  async signOut(): Promise<{ revoked: boolean }> {
    const session = await this.peek();
    let revoked = true;
    if (session) {
      for (const token of [session.refreshToken, session.accessToken]) {
        if (!token) continue;
        await this.options.idp.revoke(token).catch(() => (revoked = false));
      }
    }
    await this.forget('signedOut');
    return { revoked };
  }

  private refresh(session: OAuthSession): Promise<OAuthSession> {
    this.refreshing ??= this.doRefresh(session).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(session: OAuthSession): Promise<OAuthSession> {
    if (!session.refreshToken) {
      await this.forget('expired', 'no refresh token');
      throw new SessionExpiredError('the access token expired and there is no refresh token');
    }
    try {
      const tokens = await this.options.idp.refresh(session.refreshToken);
      const next = sessionFromTokens(tokens, this.now(), session);
      await this.options.store.save(next);
      this.cached = Promise.resolve(next);
      this.changes.fire({ session: next, reason: 'refreshed' });
      return next;
    } catch (err) {
      if (err instanceof SessionExpiredError) await this.forget('expired', err.message);
      throw err;
    }
  }

  private async forget(reason: 'signedOut' | 'expired', detail?: string): Promise<void> {
    await this.options.store.clear();
    this.cached = Promise.resolve(undefined);
    this.changes.fire({ session: undefined, reason, detail });
  }
}
