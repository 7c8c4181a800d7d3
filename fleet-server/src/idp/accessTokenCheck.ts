import type Provider from 'oidc-provider';
import type { OidcMemoryStore } from './memoryAdapter';

export type AccessTokenCheck =
  { ok: true; accountId: string; scopes: Set<string>; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' };

/** Verifies an opaque access token against the provider's own store, enforcing expiry ourselves. */
export async function checkAccessToken(provider: Provider, store: OidcMemoryStore, token: string): Promise<AccessTokenCheck> {
  const found = await provider.AccessToken.find(token, { ignoreExpiration: true });
  if (!found) return { ok: false, reason: store.wasDestroyed('AccessToken', token) ? 'revoked' : 'invalid' };
  if (found.isExpired) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    accountId: found.accountId,
    scopes: new Set((found.scope ?? '').split(' ').filter(Boolean)),
    expiresAt: new Date(found.exp * 1000),
  };
}
