import type { KoaContextLike } from 'oidc-provider';
import type { FleetDirectory } from '../fleet/fleetDirectory';
import { CLAIMS_BY_SCOPE, SUPPORTED_SCOPES, findAccount } from './accountClaims';
import { successSource, userCodeConfirmSource, userCodeInputSource } from './devicePages';
import { interactionUrl } from './interactionRoutes';
import type { OidcMemoryStore } from './memoryAdapter';
import { renderPage, escapeHtml } from './pageLayout';
import { generateCookieKeys, generateSigningJwks } from './signingKeys';

export const CLIENT_ID = 'cmdop-vscode';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ProviderSettings {
  directory: FleetDirectory;
  store: OidcMemoryStore;
  accessTokenTtlSeconds: number;
}

export function providerConfiguration({ directory, store, accessTokenTtlSeconds }: ProviderSettings): Record<string, unknown> {
  return {
    adapter: (modelName: string) => store.adapterFor(modelName),
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: 'CMDOP for VS Code',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    findAccount: (_ctx: unknown, id: string) => findAccount(directory, id),
    claims: CLAIMS_BY_SCOPE,
    scopes: SUPPORTED_SCOPES,
    // The ID token carries the same profile and fleets as userinfo, so a client can read them without a second call.
    conformIdTokenClaims: false,
    // Expiry is exact: tests and clients rely on an expired token being refused at once.
    clockTolerance: 0,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
    jwks: generateSigningJwks(),
    cookies: { keys: generateCookieKeys() },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => interactionUrl(interaction.uid) },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****', userCodeInputSource, userCodeConfirmSource, successSource },
      // A public client may revoke the tokens issued to it, and only those.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
    },
    renderError: async (ctx: KoaContextLike, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = renderPage(
        'Sign-in error',
        `<p id="error" class="error">${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
  };
}
