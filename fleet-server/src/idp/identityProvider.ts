import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { FleetDirectory } from '../fleet/fleetDirectory';
import { closeServer, createWebServer, listen } from '../net/httpServers';
import type { TlsMaterial } from '../net/tlsMaterial';
import { checkAccessToken, type AccessTokenCheck } from './accessTokenCheck';
import { handleInteraction } from './interactionRoutes';
import { OidcMemoryStore } from './memoryAdapter';
import { CLIENT_ID, providerConfiguration } from './providerConfiguration';

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  checkAccessToken(token: string): Promise<AccessTokenCheck>;
  /** Refresh-token grants answered so far: a client that shares one session across windows should refresh once per rotation. */
  refreshStats(): RefreshStats;
  /** Revokes every grant and token of the account; returns how many were revoked. */
  revokeAccount(accountId: string): number;
  /** Expires the account's access tokens now; returns how many. */
  expireAccessTokens(accountId: string): number;
  close(): Promise<void>;
}

export interface RefreshStats {
  succeeded: number;
  refused: number;
}

export interface IdentityProviderOptions {
  host: string;
  /** The host name in the issuer URL (default: host). */
  publicHost?: string;
  port: number;
  directory: FleetDirectory;
  accessTokenTtlSeconds: number;
  log: (line: string) => void;
  tls?: TlsMaterial;
}

/** Device polling interval we advertise; the RFC default of 5 s makes sign-in feel stuck. */
const DEVICE_POLL_INTERVAL_SECONDS = 1;

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const { server, scheme } = createWebServer(options.tls);
  await listen(server, options.host, options.port);
  const issuer = `${scheme}://${options.publicHost ?? options.host}:${(server.address() as AddressInfo).port}`;

  // oidc-provider is ESM-only; this package is CommonJS.
  const { default: ProviderClass } = await import('oidc-provider');
  const store = new OidcMemoryStore();
  const provider: Provider = new ProviderClass(issuer, providerConfiguration({ ...options, store }));
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/device/auth' && ctx.body && typeof ctx.body === 'object' && 'device_code' in ctx.body) {
      (ctx.body as Record<string, unknown>).interval = DEVICE_POLL_INTERVAL_SECONDS;
    }
  });
  const refreshes: RefreshStats = { succeeded: 0, refused: 0 };
  const isRefresh = (ctx: { oidc?: { params?: { grant_type?: unknown } } }) => ctx.oidc?.params?.grant_type === 'refresh_token';
  provider.on('grant.success', (ctx: any) => {
    if (isRefresh(ctx)) refreshes.succeeded++;
  });
  provider.on('grant.error', (ctx: any) => {
    if (isRefresh(ctx)) refreshes.refused++;
  });
  provider.on('server_error', (_ctx: unknown, err: unknown) =>
    options.log(`identity provider error: ${(err as Error)?.stack ?? String(err)}`),
  );

  const providerCallback = provider.callback();
  server.on('request', (req, res) => {
    handleInteraction(provider, options.directory, req, res)
      .then((handled) => {
        if (!handled) providerCallback(req, res);
      })
      .catch((err: Error) => {
        options.log(`interaction error: ${err.stack ?? err.message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('interaction failed');
      });
  });

  return {
    issuer,
    clientId: CLIENT_ID,
    checkAccessToken: (token) => checkAccessToken(provider, store, token),
    refreshStats: () => ({ ...refreshes }),
    revokeAccount: (accountId) => store.revokeAccount(accountId),
    expireAccessTokens: (accountId) => store.expireAccessTokens(accountId),
    close: () => closeServer(server),
  };
}
