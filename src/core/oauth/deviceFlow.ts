import type { DeviceCode, IdentityProvider } from './oidcClient';
import type { TokenResponse } from './tokens';

/** Shows the user code while the flow polls; the UI decides how (notification, copy button, browser). */
export type ShowDeviceCode = (code: DeviceCode) => void;

/** RFC 8628 device authorization: get a code, show it, wait for approval (or denial, expiry, cancel). */
export async function runDeviceFlow(idp: IdentityProvider, show: ShowDeviceCode, signal: AbortSignal): Promise<TokenResponse> {
  const code = await idp.startDeviceFlow();
  show(code);
  return idp.pollDeviceFlow(code, signal);
}
