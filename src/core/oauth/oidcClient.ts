import * as oidc from 'openid-client';
import { isLoopback } from '../network/loopback';
import { DeviceFlowError, findAdvisedError, ServerUnreachableError, SessionExpiredError } from '../errors';
import type { TokenResponse } from './tokens';

export const SCOPES = ['openid', 'email', 'profile', 'offline_access', 'fleets'];

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresInSeconds: number;
  intervalSeconds: number;
  /** Opaque to callers; handed back to poll(). */
  readonly raw: unknown;
}

/** The IdP operations the extension needs, on top of openid-client. */
export interface IdentityProvider {
  startDeviceFlow(): Promise<DeviceCode>;
  pollDeviceFlow(code: DeviceCode, signal: AbortSignal): Promise<TokenResponse>;
  refresh(refreshToken: string): Promise<TokenResponse>;
  revoke(token: string): Promise<void>;
}

export class OpenIdProvider implements IdentityProvider {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    /** Every request to the identity provider goes through this (the request log wraps it). */
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async startDeviceFlow(): Promise<DeviceCode> {
    const response = await this.call('start sign-in', async (c) => oidc.initiateDeviceAuthorization(c, { scope: SCOPES.join(' ') }));
    return {
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete,
      expiresInSeconds: response.expires_in,
      intervalSeconds: response.interval ?? 5,
      raw: response,
    };
  }

  async pollDeviceFlow(code: DeviceCode, signal: AbortSignal): Promise<TokenResponse> {
    const config = await this.configuration();
    try {
      // openid-client waits `interval` between polls and backs off on slow_down, as RFC 8628 asks.
      const tokens = await oidc.pollDeviceAuthorizationGrant(config, code.raw as oidc.DeviceAuthorizationResponse, undefined, { signal });
      return toTokenResponse(tokens);
    } catch (err) {
      if (signal.aborted) throw new DeviceFlowError('cancelled');
      const oauthError = oauthErrorCode(err);
      if (oauthError === 'access_denied') throw new DeviceFlowError('denied');
      if (oauthError === 'expired_token') throw new DeviceFlowError('expired');
      throw new DeviceFlowError('failed', errorText(err));
    }
  }

  async refresh(refreshToken: string): Promise<TokenResponse> {
    const config = await this.configuration();
    try {
      return toTokenResponse(await oidc.refreshTokenGrant(config, refreshToken));
    } catch (err) {
      const code = oauthErrorCode(err);
      if (code === 'invalid_grant') throw new SessionExpiredError('the refresh token was revoked or has expired');
      throw new ServerUnreachableError('identity provider', this.issuer, failureOf(err));
    }
  }

  async revoke(token: string): Promise<void> {
    await this.call('sign out', (c) => oidc.tokenRevocation(c, token));
  }

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= this.discover().catch((err) => {
      this.config = undefined;
      throw err;
    });
    return this.config;
  }

  private async discover(): Promise<oidc.Configuration> {
    const url = new URL(this.issuer);
    const insecure = url.protocol === 'http:' && isLoopback(url.hostname);
    const customFetch = ((input: string, init: RequestInit) => this.fetchImpl(input, init)) as oidc.CustomFetch;
    try {
      const config = await oidc.discovery(url, this.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        [oidc.customFetch]: customFetch,
      });
      config[oidc.customFetch] = customFetch;
      return config;
    } catch (err) {
      throw new ServerUnreachableError('identity provider', this.issuer, failureOf(err));
    }
  }

  private async call<T>(what: string, fn: (config: oidc.Configuration) => Promise<T>): Promise<T> {
    const config = await this.configuration();
    try {
      return await fn(config);
    } catch (err) {
      throw new ServerUnreachableError('identity provider', this.issuer, findAdvisedError(err) ?? `${what}: ${errorText(err)}`);
    }
  }
}

function toTokenResponse(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): TokenResponse {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresInSeconds: tokens.expiresIn(),
    claims: tokens.claims() as Record<string, unknown> | undefined,
  };
}

function oauthErrorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'error' in err && typeof err.error === 'string' ? err.error : undefined;
}

/** A TLS or proxy failure (which says what fixes it) as it is, anything else as a line of text. */
function failureOf(err: unknown): Error | string {
  return findAdvisedError(err) ?? errorText(err);
}

function errorText(err: unknown): string {
  const advised = findAdvisedError(err);
  if (advised) return advised.message;
  const e = err as { error_description?: string; message?: string; cause?: { code?: string } };
  return e?.error_description ?? e?.cause?.code ?? e?.message ?? String(err);
}
