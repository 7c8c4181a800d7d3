export type Role = 'Owner' | 'Admin' | 'Member' | 'Guest';

export interface FleetClaim {
  id: string;
  name: string;
  role: Role;
}

/** A signed-in OAuth session as persisted in SecretStorage (one per mode). */
export interface OAuthSession {
  id: string;
  account: { id: string; label: string };
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes: string[];
  fleets: FleetClaim[];
  /** The endpoints it was signed in against (endpointsFingerprint); absent on sessions stored before. */
  boundTo?: string;
}

/** The parts of a token endpoint response the extension keeps. */
export interface TokenResponse {
  accessToken: string;
  refreshToken?: string;
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
}

const ROLES: readonly Role[] = ['Owner', 'Admin', 'Member', 'Guest'];

/** Reads the `fleets` claim defensively: the IdP is remote input. */
export function fleetsFromClaims(claims: Record<string, unknown> | undefined): FleetClaim[] {
  const raw = claims?.fleets;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f) => {
    if (!f || typeof f !== 'object') return [];
    const { id, name, role } = f as Record<string, unknown>;
    if (typeof id !== 'string' || typeof name !== 'string') return [];
    return [{ id, name, role: ROLES.includes(role as Role) ? (role as Role) : 'Guest' }];
  });
}

export function sessionFromTokens(tokens: TokenResponse, now: number, previous?: OAuthSession): OAuthSession {
  const claims = tokens.claims;
  const subject = typeof claims?.sub === 'string' ? claims.sub : (previous?.account.id ?? 'unknown');
  const label = typeof claims?.email === 'string' ? claims.email : (previous?.account.label ?? subject);
  const fleets = claims ? fleetsFromClaims(claims) : (previous?.fleets ?? []);
  return {
    id: previous?.id ?? `${subject}-${now.toString(36)}`,
    account: { id: subject, label },
    accessToken: tokens.accessToken,
    // Servers that do not rotate refresh tokens omit them on refresh; keep the one we have.
    refreshToken: tokens.refreshToken ?? previous?.refreshToken,
    expiresAt: now + (tokens.expiresInSeconds ?? 3600) * 1000,
    scopes: previous?.scopes ?? [],
    fleets: fleets.length > 0 ? fleets : (previous?.fleets ?? []),
  };
}
