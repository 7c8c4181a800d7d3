import type { FleetDirectory } from '../fleet/fleetDirectory';
import type { AccessTokenCheck } from '../idp/accessTokenCheck';
import { type ApiKeyStore, isApiKeySecret } from './apiKeyStore';
import type { AuthFailure, Principal } from './principal';

export type Resolution = { ok: true; principal: Principal } | ({ ok: false } & AuthFailure);

const fail = (reason: AuthFailure['reason'], detail: string): Resolution => ({ ok: false, reason, detail });

/** Turns an `Authorization` value into a principal, or says exactly why not. Shared by REST and gRPC. */
export class CredentialResolver {
  constructor(
    private readonly directory: FleetDirectory,
    private readonly apiKeys: ApiKeyStore,
    private readonly checkAccessToken: (token: string) => Promise<AccessTokenCheck>,
  ) {}

  async resolve(authorization: string | undefined): Promise<Resolution> {
    if (!authorization || !authorization.trim()) {
      return fail('missing', 'missing credentials: send "authorization: Bearer <fleet API key or OAuth access token>"');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) return fail('malformed', 'malformed authorization: expected "Bearer <token>"');
    const token = match[1];
    return isApiKeySecret(token) ? this.resolveApiKey(token) : this.resolveAccessToken(token);
  }

  private resolveApiKey(secret: string): Resolution {
    const lookup = this.apiKeys.authenticate(secret);
    if (lookup.ok) return { ok: true, principal: { kind: 'api_key', key: lookup.key } };
    switch (lookup.reason) {
      case 'revoked':
        return fail(
          'key_revoked',
          `API key revoked: key "${lookup.key?.name}" of fleet ${lookup.key?.fleetId} was revoked; create a new key`,
        );
      case 'expired':
        return fail(
          'key_expired',
          `API key expired: key "${lookup.key?.name}" of fleet ${lookup.key?.fleetId} expired at ${lookup.key?.expiresAt?.toISOString()}`,
        );
      default:
        return fail('unknown_key', 'unknown API key: no fleet has a key with this secret');
    }
  }

  private async resolveAccessToken(token: string): Promise<Resolution> {
    const check = await this.checkAccessToken(token);
    if (!check.ok) {
      switch (check.reason) {
        case 'expired':
          return fail('token_expired', 'access token expired: refresh it and retry');
        case 'revoked':
          return fail('token_revoked', 'access token revoked: sign in again');
        default:
          return fail('token_invalid', 'invalid access token: not issued by this server (or the server restarted); sign in again');
      }
    }
    const user = this.directory.user(check.accountId);
    if (!user) return fail('unknown_account', `access token names an unknown account ${check.accountId}`);
    return { ok: true, principal: { kind: 'user', user, accountId: check.accountId } };
  }
}
