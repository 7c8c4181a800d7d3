import { readFileSync } from 'node:fs';
import { CmdopError } from '../errors';

export type Mode = 'prod' | 'dev';

export interface Endpoints {
  issuer: string;
  api: string;
  /** host:port of the default gRPC relay. */
  relay: string;
  clientId: string;
  /** PEM file of an extra CA to trust for this mode's identity provider, API and relays (private CAs, `fleet-server --tls`). */
  caFile?: string;
  /** Per fleet server override: CA files for relays at other addresses (`host:port` → PEM file), over `caFile`. */
  relayCaFiles?: Record<string, string>;
}

/** host:port of a gRPC relay. */
const RELAY_ADDRESS = /^[\w.-]+:\d+$/;

export const DEFAULT_ENDPOINTS: Record<Mode, Endpoints> = {
  prod: { issuer: 'https://auth.cmdop.com', api: 'https://api.cmdop.com', relay: 'grpc.cmdop.com:443', clientId: 'cmdop-vscode' },
  // The local fleet server's default ports (fleet-server --port-base 4400).
  dev: { issuer: 'http://127.0.0.1:4400', api: 'http://127.0.0.1:4401', relay: '127.0.0.1:4402', clientId: 'cmdop-vscode' },
};

/**
 * Where a credential was issued: the mode and its identity provider, API and relay. A stored key or session
 * carries it, so a change of `cmdop.mode` or `cmdop.endpoints` never sends it to other hosts. Holds no secret.
 */
export function endpointsFingerprint(mode: Mode, endpoints: Pick<Endpoints, 'issuer' | 'api' | 'relay'>): string {
  return [mode, endpoints.issuer, endpoints.api, endpoints.relay].join(' ');
}

export function parseMode(value: unknown): Mode {
  return value === 'dev' ? 'dev' : 'prod';
}

/** Merges the `cmdop.endpoints` setting over the defaults, rejecting values that cannot work. */
export function endpointsFor(mode: Mode, setting: unknown): Endpoints {
  const override = (setting && typeof setting === 'object' ? (setting as Record<string, unknown>)[mode] : undefined) ?? {};
  if (typeof override !== 'object')
    throw new CmdopError(`"cmdop.endpoints.${mode}" must be an object with issuer, api, relay and clientId.`);
  const merged = { ...DEFAULT_ENDPOINTS[mode], ...(override as Partial<Endpoints>) };
  for (const field of ['issuer', 'api'] as const) {
    if (!/^https?:\/\/[^\s/]+/.test(String(merged[field]))) {
      throw new CmdopError(`"cmdop.endpoints.${mode}.${field}" must be an http(s) URL, e.g. "https://api.cmdop.com".`);
    }
  }
  if (!RELAY_ADDRESS.test(String(merged.relay))) {
    throw new CmdopError(`"cmdop.endpoints.${mode}.relay" must be host:port, e.g. "grpc.cmdop.com:443".`);
  }
  if (merged.caFile !== undefined && (typeof merged.caFile !== 'string' || !merged.caFile.trim())) {
    throw new CmdopError(`"cmdop.endpoints.${mode}.caFile" must be the path of a PEM file holding the CA certificate.`);
  }
  const relayCaFiles = merged.relayCaFiles;
  if (relayCaFiles !== undefined) {
    const valid =
      relayCaFiles &&
      typeof relayCaFiles === 'object' &&
      Object.entries(relayCaFiles).every(([k, v]) => RELAY_ADDRESS.test(k) && typeof v === 'string' && v.trim());
    if (!valid)
      throw new CmdopError(
        `"cmdop.endpoints.${mode}.relayCaFiles" must map relay addresses to CA files, e.g. { "relay.example.com:443": "/etc/ssl/example-ca.pem" }.`,
      );
  }
  return { ...merged, issuer: merged.issuer.replace(/\/$/, ''), api: merged.api.replace(/\/$/, '') };
}

/** The setting that names a mode's CA file, as errors quote it. */
export function caSettingOf(mode: Mode): string {
  return `cmdop.endpoints.${mode}.caFile`;
}

/** The setting that names the CA file of one relay address (a fleet served by its own relay). */
export function relayCaSettingOf(mode: Mode, address: string): string {
  return `cmdop.endpoints.${mode}.relayCaFiles["${address}"]`;
}

/** Reads the mode's CA file; a missing or malformed file is an error naming the setting. */
export function readCaFile(mode: Mode, endpoints: Endpoints): string | undefined {
  return endpoints.caFile ? readPem(endpoints.caFile, caSettingOf(mode)) : undefined;
}

/** The CA files of relays with their own (per fleet server override), read now: address → PEM and setting. */
export function readRelayCaFiles(mode: Mode, endpoints: Endpoints): Map<string, { ca: string; caSetting: string }> {
  const out = new Map<string, { ca: string; caSetting: string }>();
  for (const [address, file] of Object.entries(endpoints.relayCaFiles ?? {})) {
    const caSetting = relayCaSettingOf(mode, address);
    out.set(address, { ca: readPem(file, caSetting), caSetting });
  }
  return out;
}

function readPem(file: string, setting: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CmdopError(
      `"${setting}" names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Point it at the CA's PEM file.`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CmdopError(`"${setting}": ${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Point it at the CA's PEM file.`);
  }
  return pem;
}
