// The device flow of the extension's core with the person's approval done on the identity provider's pages
// (approveDeviceCode), both over the same fetch: the credential an OAuth sign-in gives.
import { approveDeviceCode } from '../../../fleet-server/src/testing/approveDevice';
import { runDeviceFlow } from '../../../src/core/oauth/deviceFlow';
import { OpenIdProvider } from '../../../src/core/oauth/oidcClient';
import type { TokenResponse } from '../../../src/core/oauth/tokens';

export interface SignedIn {
  tokens: TokenResponse;
  credential: { kind: 'oauth'; source: 'oauth'; secret: string; account: string };
}

export async function signInByDeviceFlow(
  server: { issuer: string; clientId: string },
  user: { email: string; password: string },
  fetchImpl: typeof fetch,
): Promise<SignedIn> {
  const idp = new OpenIdProvider(server.issuer, server.clientId, fetchImpl);
  const tokens = await runDeviceFlow(
    idp,
    (code) =>
      void approveDeviceCode({ issuer: server.issuer, userCode: code.userCode, email: user.email, password: user.password, fetchImpl }),
    new AbortController().signal,
  );
  return { tokens, credential: { kind: 'oauth', source: 'oauth', secret: tokens.accessToken, account: user.email } };
}
