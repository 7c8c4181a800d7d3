import { CmdopError } from './errors';

export type Mode = 'prod' | 'dev';

export interface Endpoints {
  issuer: string;
  api: string;
  /** host:port of the default gRPC relay. */
  relay: string;
  clientId: string;
}

export const DEFAULT_ENDPOINTS: Record<Mode, Endpoints> = {
  prod: { issuer: 'https://auth.cmdop.com', api: 'https://api.cmdop.com', relay: 'grpc.cmdop.com:443', clientId: 'cmdop-vscode' },
  // The local fleet server's default ports (fleet-server --port-base 4400).
  dev: { issuer: 'http://127.0.0.1:4400', api: 'http://127.0.0.1:4401', relay: '127.0.0.1:4402', clientId: 'cmdop-vscode' },
};

export function parseMode(value: unknown): Mode {
  return value === 'dev' ? 'dev' : 'prod';
}

/** Merges the `cmdop.endpoints` setting over the defaults, rejecting values that cannot work. */
export function endpointsFor(mode: Mode, setting: unknown): Endpoints {
  const override = (setting && typeof setting === 'object' ? (setting as Record<string, unknown>)[mode] : undefined) ?? {};
  if (typeof override !== 'object') throw new CmdopError(`"cmdop.endpoints.${mode}" must be an object with issuer, api, relay and clientId.`);
  const merged = { ...DEFAULT_ENDPOINTS[mode], ...(override as Partial<Endpoints>) };
  for (const field of ['issuer', 'api'] as const) {
    if (!/^https?:\/\/[^\s/]+/.test(String(merged[field]))) {
      throw new CmdopError(`"cmdop.endpoints.${mode}.${field}" must be an http(s) URL, e.g. "https://api.cmdop.com".`);
    }
  }
  if (!/^[\w.-]+:\d+$/.test(String(merged.relay))) {
    throw new CmdopError(`"cmdop.endpoints.${mode}.relay" must be host:port, e.g. "grpc.cmdop.com:443".`);
  }
  return { ...merged, issuer: merged.issuer.replace(/\/$/, ''), api: merged.api.replace(/\/$/, '') };
}
