import type { SeedUser } from '../seed/seedTypes';
import type { ApiKey } from './apiKeyStore';

export type Principal = { kind: 'user'; user: SeedUser; accountId: string } | { kind: 'api_key'; key: ApiKey };

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'key_revoked'
  | 'key_expired'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'unknown_account';

export interface AuthFailure {
  reason: AuthFailureReason;
  detail: string;
}

/** How a principal appears in audit logs. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'user' ? principal.user.email : `apikey:${principal.key.name}`;
}
