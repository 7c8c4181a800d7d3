import { readFileSync } from 'node:fs';
import { CmdopError } from './errors';

export type Mode = 'prod' | 'dev';

export interface Endpoints {
  issuer: string;
  api: string;
  /** host:port of the default gRPC relay. */
  relay: string;
  clientId: string;
  /** PEM file of an extra CA to trust for this mode's identity provider, API and relays (private CAs, `fleet-server --tls`). */
  caFile?: string;
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
  if (merged.caFile !== undefined && (typeof merged.caFile !== 'string' || !merged.caFile.trim())) {
    throw new CmdopError(`"cmdop.endpoints.${mode}.caFile" must be the path of a PEM file holding the CA certificate.`);
  }
  return { ...merged, issuer: merged.issuer.replace(/\/$/, ''), api: merged.api.replace(/\/$/, '') };
}

/** The setting that names a mode's CA file, as errors quote it. */
export function caSettingOf(mode: Mode): string {
  return `cmdop.endpoints.${mode}.caFile`;
}

/** Reads the mode's CA file; a missing or malformed file is an error naming the setting. */
export function readCaFile(mode: Mode, endpoints: Endpoints): string | undefined {
  if (!endpoints.caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(endpoints.caFile, 'utf8');
  } catch (err) {
    throw new CmdopError(`"${caSettingOf(mode)}" names ${endpoints.caFile}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Point it at the CA's PEM file.`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CmdopError(`"${caSettingOf(mode)}": ${endpoints.caFile} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Point it at the CA's PEM file.`);
  }
  return pem;
}
