import { approveDeviceCode } from '../../../fleet-server/src/testing/approveDevice';
import type { FleetServer } from '../../../fleet-server/src/index';

export function seededKey(server: FleetServer, fleetId: string, keyName: string): string {
  const key = server.seed.fleets.find((f) => f.id === fleetId)?.api_keys.find((k) => k.name === keyName);
  if (!key) throw new Error(`seed has no key ${keyName} in ${fleetId}`);
  return key.secret;
}

export async function getJson(server: FleetServer, path: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(server.apiUrl + path, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

export const DEVICE_SCOPE = 'openid email profile fleets offline_access';

/** Signs in through the device flow with openid-client, approving the code through the real HTML pages. */
export async function signIn(server: FleetServer, email: string, password: string) {
  const oidc = await import('openid-client');
  const config = await oidc.discovery(new URL(server.issuer), server.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const device = await oidc.initiateDeviceAuthorization(config, { scope: DEVICE_SCOPE });
  await approveDeviceCode({ issuer: server.issuer, userCode: device.user_code, email, password });
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  return { oidc, config, tokens, device };
}

/** Polls a condition; the condition itself is the assertion target, the loop only waits for it. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
