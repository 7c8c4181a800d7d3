import { CmdopError } from '../errors';

export const MACHINE_FILES_SCHEME = 'cmdop';

/** A file on a machine: the fleet (URI authority), the machine's hostname and its absolute path there. */
export interface MachineLocation {
  fleetId: string;
  hostname: string;
  /** Absolute POSIX path on the machine, `/` for its root. */
  path: string;
}

export class BadMachineUriError extends CmdopError {
  constructor(uri: string) {
    super(`${uri} is not a CMDOP machine file: it should read cmdop://<fleet id>/<hostname>/<path on the machine>.`);
  }
}

/**
 * `cmdop://<fleet id>/<hostname>/<path>`: the authority is the fleet, the first path segment the machine,
 * the rest its absolute path (`cmdop://acme/web-1/home/web-1/etc/app.conf` → `/home/web-1/etc/app.conf`).
 */
export function locationOf(authority: string, uriPath: string): MachineLocation {
  const match = /^\/([^/]+)(\/.*)?$/.exec(uriPath);
  if (!authority || !match) throw new BadMachineUriError(`${MACHINE_FILES_SCHEME}://${authority}${uriPath}`);
  return { fleetId: authority, hostname: match[1], path: normalizePath(match[2] ?? '/') };
}

/** The URI path of a location (its authority is the fleet id). */
export function uriPathOf(location: Pick<MachineLocation, 'hostname' | 'path'>): string {
  const path = normalizePath(location.path);
  return `/${location.hostname}${path === '/' ? '/' : path}`;
}

/** Collapses `//`, `.` and a trailing slash; `..` is kept (the machine decides what it may reach). */
export function normalizePath(path: string): string {
  const parts = path.split('/').filter((p) => p && p !== '.');
  return `/${parts.join('/')}`;
}

export function parentOf(path: string): string {
  const normal = normalizePath(path);
  return normal.slice(0, normal.lastIndexOf('/')) || '/';
}

export function baseName(path: string): string {
  return normalizePath(path).split('/').pop() || '/';
}

export function joinPath(dir: string, ...names: string[]): string {
  return normalizePath([dir, ...names].join('/'));
}

/** Whether two locations are on the same machine of the same fleet (a copy or move there is one RPC). */
export function sameMachine(a: MachineLocation, b: MachineLocation): boolean {
  return a.fleetId === b.fleetId && a.hostname.toLowerCase() === b.hostname.toLowerCase();
}

/** A symlink's target as an absolute path: relative targets are taken from the link's folder. */
export function resolveLinkTarget(linkPath: string, target: string): string {
  return target.startsWith('/') ? normalizePath(target) : joinPath(parentOf(linkPath), target);
}

/** `~` and `~/…` in a typed path, taken from the machine's home. */
export function expandHome(typed: string, home: string): string {
  const text = typed.trim();
  if (text === '~') return normalizePath(home);
  if (text.startsWith('~/')) return joinPath(home, text.slice(2));
  return text.startsWith('/') ? normalizePath(text) : joinPath(home, text);
}
