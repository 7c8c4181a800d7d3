import { createHash, randomUUID } from 'node:crypto';
import { Emitter } from '../emitter';
import { SessionExpiredError } from '../errors';
import type { IdentityProvider } from './oidcClient';
import type { SessionStore } from './sessionStore';
import { type OAuthSession, type TokenResponse, sessionFromTokens } from './tokens';

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** Longer than any refresh request takes; a window that dies holding the lease blocks the others this long at most. */
const LEASE_MS = 15_000;
/** How long a window that lost the election waits for the winner's new session before refreshing itself. */
const PEER_WAIT_MS = 10_000;
const PEER_POLL_MS = 250;
/** After a failed (not refused) refresh, keep using a still-valid token this long before asking the IdP again. */
const RETRY_AFTER_FAILURE_MS = 15_000;

export interface TokenKeeperOptions {
  store: SessionStore;
  idp: IdentityProvider;
  now?: () => number;
  refreshMarginMs?: number;
  /** Names this window in the refresh election; random by default. */
  windowId?: string;
  peerWaitMs?: number;
  /**
   * Elects the window that refreshes: the extension passes a lock file in a folder all windows share
   * (FileLease), which is atomic where SecretStorage has no compare-and-set and is not shared live (code-server).
   */
  election: RefreshElection;
}

export interface RefreshElection {
  claim(owner: string, now: number, leaseMs: number): Promise<boolean>;
  release(owner: string): Promise<void>;
  /** Records that the refresh token with this fingerprint was used up (optional). */
  markRotated?(fingerprint: string): Promise<void>;
  /** True when another window already used up this refresh token and its new session is still on the way. */
  wasRotated?(fingerprint: string): Promise<boolean>;
}

/** A short, one-way name for a refresh token, safe to share between windows. */
function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 24);
}

export type SessionChange = {
  session: OAuthSession | undefined;
  reason: 'signedIn' | 'refreshed' | 'signedOut' | 'expired';
  detail?: string;
  /** True when another window made the change and this one only read it from SecretStorage. */
  external?: boolean;
  /** The session before the change, when there was one. */
  previous?: OAuthSession;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Owns one mode's OAuth session: hands out an access token that is valid for at least the refresh margin,
 * refreshing 5 minutes before expiry with a single request however many callers and windows ask at once.
 * SecretStorage is the truth: the in-memory copy follows it, and every refresh starts by reading it again.
 */
export class TokenKeeper {
  private readonly changes = new Emitter<SessionChange>();
  readonly onDidChange = this.changes.event;
  private cached: Promise<OAuthSession | undefined> | undefined;
  private refreshing: Promise<OAuthSession | undefined> | undefined;
  private retryAt = 0;
  /** An access token the server refused before its time (clock skew, server-side expiry): refresh it at once. */
  private rejectedToken: string | undefined;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly windowId: string;
  private readonly watcher: { dispose(): void } | undefined;
  private reloading = Promise.resolve();

  constructor(private readonly options: TokenKeeperOptions) {
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
    this.windowId = options.windowId ?? randomUUID();
    this.watcher = options.store.watch(() => void this.reload());
  }

  /** The session as this window knows it, without refreshing. */
  peek(): Promise<OAuthSession | undefined> {
    this.cached ??= this.options.store.load();
    return this.cached;
  }

  /** A session whose access token is good for at least the margin, refreshed if needed; undefined when signed out. */
  async session(): Promise<OAuthSession | undefined> {
    const session = await this.peek();
    if (!session) return undefined;
    if (!this.mustRefresh(session)) return session;
    // The IdP just failed to answer: a token that still works is better than hammering it on every call.
    if (this.now() < this.retryAt && session.expiresAt > this.now()) return session;
    return this.refresh();
  }

  needsRefresh(session: OAuthSession): boolean {
    return this.now() >= session.expiresAt - this.margin;
  }

  /**
   * A server refused this access token as expired although this window's clock says it is not: the next
   * session() refreshes (once, across windows like any refresh) instead of handing it out again.
   */
  async renewRejected(accessToken: string): Promise<OAuthSession | undefined> {
    this.rejectedToken = accessToken;
    return this.session();
  }

  /**
   * A server refused this window's access token for any reason (revoked, unknown to an identity provider that
   * restarted, expired early): only the identity provider can say whether the session still stands, so it is asked
   * with one refresh (shared across windows like any). A refused refresh ends the session in every window.
   * Resolves with the session that stands, or undefined when it is over; never throws for a refused session.
   */
  async serverRefused(accessToken: string): Promise<OAuthSession | undefined> {
    return this.renewRejected(accessToken).catch((err: Error) => {
      if (err instanceof SessionExpiredError) return undefined;
      throw err;
    });
  }

  /**
   * Before a sign-in: is the stored session still good at the identity provider? A session it refuses is cleared
   * here (for every window), so the sign-in that follows starts a new device flow instead of finding the dead one.
   */
  async verify(): Promise<OAuthSession | undefined> {
    const session = await this.peek();
    return session && this.serverRefused(session.accessToken);
  }

  private mustRefresh(session: OAuthSession): boolean {
    return this.needsRefresh(session) || session.accessToken === this.rejectedToken;
  }

  /** Milliseconds until the token enters the refresh window (0 when it already has). */
  msUntilRefresh(session: OAuthSession): number {
    return Math.max(0, session.expiresAt - this.margin - this.now());
  }

  /** Milliseconds since the token entered the refresh window (negative before). */
  msPastRefresh(session: OAuthSession): number {
    return this.now() - (session.expiresAt - this.margin);
  }

  async signedIn(tokens: TokenResponse, scopes: string[]): Promise<OAuthSession> {
    const session = { ...sessionFromTokens(tokens, this.now()), scopes };
    const previous = await this.peek();
    await this.options.store.save(session);
    this.settle(session, 'signedIn', undefined, previous);
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
    await this.options.store.clear();
    this.settle(undefined, 'signedOut', undefined, session);
    return { revoked };
  }

  /** Reads SecretStorage again and tells listeners if another window signed in, refreshed or signed out. */
  reload(): Promise<void> {
    // Awaits the adoption too, so a caller of reload() sees listeners told before it goes on.
    this.reloading = this.reloading.then(async () => {
      await this.adopt(await this.options.store.load());
    });
    return this.reloading;
  }

  dispose(): void {
    this.watcher?.dispose();
  }

  /** Takes what storage holds as this window's session, announcing the change if it is one. */
  private async adopt(stored: OAuthSession | undefined): Promise<OAuthSession | undefined> {
    const known = await this.peek();
    if (sameSession(known, stored)) return known;
    this.cached = Promise.resolve(stored);
    const reason = !stored ? 'signedOut' : known?.id === stored.id ? 'refreshed' : 'signedIn';
    this.changes.fire({ session: stored, reason, external: true, previous: known });
    return stored;
  }

  private refresh(): Promise<OAuthSession | undefined> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<OAuthSession | undefined> {
    // Another window may have renewed it (or signed out) since this one last looked.
    let current = await this.adopt(await this.options.store.load());
    if (!current || !this.mustRefresh(current)) return current;

    const { election } = this.options;
    let won = await election.claim(this.windowId, this.now(), LEASE_MS);
    if (won && current.refreshToken && (await election.wasRotated?.(fingerprint(current.refreshToken)))) {
      // Another window refreshed a moment ago and its session has not reached this window yet: wait for it.
      await election.release(this.windowId);
      won = false;
    }
    if (!won) {
      const renewed = await this.waitForPeer(current);
      if (!renewed || !this.mustRefresh(renewed)) return renewed;
      // Never send a refresh token another window already used: keep the current token (still valid for most of
      // the margin) and try again on the next call.
      if (renewed.refreshToken && (await election.wasRotated?.(fingerprint(renewed.refreshToken)))) {
        this.retryAt = this.now() + RETRY_AFTER_FAILURE_MS;
        return renewed;
      }
      // The winner went quiet (window closed mid-refresh): refresh here, with whatever storage holds now.
      current = renewed;
    }
    try {
      return await this.refreshWith(current, election);
    } finally {
      await election.release(this.windowId).catch(() => undefined);
    }
  }

  private async refreshWith(current: OAuthSession, election: RefreshElection): Promise<OAuthSession | undefined> {
    if (!current.refreshToken) return this.expire('the access token expired and there is no refresh token');
    let tokens: TokenResponse;
    try {
      tokens = await this.options.idp.refresh(current.refreshToken);
    } catch (err) {
      if (!(err instanceof SessionExpiredError)) {
        this.retryAt = this.now() + RETRY_AFTER_FAILURE_MS;
        if (current.expiresAt > this.now()) return current;
        throw err;
      }
      // Refused: another window may have rotated the token between our read and our request. Only a session
      // whose stored refresh token is the very one refused is really dead.
      const stored = await this.adopt(await this.options.store.load());
      if (!stored) return undefined;
      if (stored.refreshToken !== current.refreshToken) return this.mustRefresh(stored) ? this.refreshWith(stored, election) : stored;
      return this.expire('the refresh token was revoked or has expired');
    }
    // Marked before anything else: from this moment the old refresh token must not be sent by any window.
    await election.markRotated?.(fingerprint(current.refreshToken)).catch(() => undefined);
    const next = sessionFromTokens(tokens, this.now(), current);
    await this.options.store.save(next);
    this.retryAt = 0;
    this.settle(next, 'refreshed', undefined, current);
    return next;
  }

  /** Polls storage (cheap, local) until the elected window stores a renewed session, signs out, or goes quiet. */
  private async waitForPeer(current: OAuthSession): Promise<OAuthSession | undefined> {
    const giveUpAt = Date.now() + (this.options.peerWaitMs ?? PEER_WAIT_MS);
    for (;;) {
      await sleep(PEER_POLL_MS);
      const stored = await this.options.store.load();
      if (!stored || stored.refreshToken !== current.refreshToken) return this.adopt(stored);
      if (Date.now() >= giveUpAt) return stored;
    }
  }

  /** The session is really over: only now is the shared entry cleared, for every window. */
  private async expire(why: string): Promise<never> {
    const previous = await this.peek();
    await this.options.store.clear();
    this.settle(undefined, 'expired', why, previous);
    throw new SessionExpiredError(why);
  }

  private settle(session: OAuthSession | undefined, reason: SessionChange['reason'], detail?: string, previous?: OAuthSession): void {
    this.cached = Promise.resolve(session);
    this.changes.fire({ session, reason, detail, previous });
  }
}

function sameSession(a: OAuthSession | undefined, b: OAuthSession | undefined): boolean {
  if (!a || !b) return a === b;
  return a.id === b.id && a.accessToken === b.accessToken && a.refreshToken === b.refreshToken && a.expiresAt === b.expiresAt;
}
