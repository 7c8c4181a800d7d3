// The custom LSP messages between the runbook language server and the extension, declared once as typed
// messages that both sides use (the server sends them, the extension answers them), so a changed parameter or
// answer fails to compile on both sides at once. The server never holds a credential: it asks the extension for
// fleet facts and the extension answers with its own authenticated client.
import { NotificationType0, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { Role } from '../oauth/tokens';

export interface FleetFact {
  id: string;
  name: string;
  role: Role;
}

export interface MachineFact {
  hostname: string;
  name: string;
  os: string;
  online: boolean;
  lastSeen: string | null;
}

export interface FleetsAnswer {
  fleets: FleetFact[];
  /** The fleet the extension's resolver picks now: the default when a runbook names none. */
  activeFleetId?: string;
  /** Set when the extension cannot answer (signed out, server unreachable): what to do, shown once per runbook. */
  problem?: string;
}

export interface MachinesParams {
  fleetId: string;
  hostnames: string[];
}
export interface MachinesAnswer {
  /** One entry per asked hostname: its facts, or null when the fleet has no such machine. */
  machines: Record<string, MachineFact | null>;
  /** For unknown hostnames: the closest real hostname, when there is a plausible one. */
  suggestions: Record<string, string>;
}

export interface GlobsParams {
  fleetId: string;
  patterns: string[];
}
export interface GlobMatch {
  /** Matching machines, at most GLOB_MATCH_LIMIT of them. */
  machines: MachineFact[];
  truncated: boolean;
}
export type GlobsAnswer = Record<string, GlobMatch>;
export const GLOB_MATCH_LIMIT = 500;

export interface SearchParams {
  fleetId: string;
  text: string;
}
export type SearchAnswer = MachineFact[];

/** Server → extension: the fleets the person can see, and which one is active. */
export const FLEETS_REQUEST = new RequestType0<FleetsAnswer, void>('cmdop/fleets');
/** Server → extension: exact hostnames, all of one document in one request. */
export const MACHINES_REQUEST = new RequestType<MachinesParams, MachinesAnswer, void>('cmdop/machines');
/** Server → extension: which hostnames each glob matches. */
export const GLOBS_REQUEST = new RequestType<GlobsParams, GlobsAnswer, void>('cmdop/globs');
/** Server → extension: completion candidates for typed text (one page, server-side search). */
export const SEARCH_REQUEST = new RequestType<SearchParams, SearchAnswer, void>('cmdop/search');
/** Extension → server: fleet switched, signed in/out, or presence changed; re-check. */
export const FACTS_CHANGED_NOTIFICATION = new NotificationType0('cmdop/factsChanged');

/** Commands the server's code lenses invoke (registered by the extension while the language client runs). */
export const RUN_BLOCK_COMMAND = 'cmdop.runbook.run';
export const RUN_BLOCK_ON_COMMAND = 'cmdop.runbook.runOn';
/** The block's text exactly as typed: it reaches the remote shell as one `sh -c` argument, never a local shell. */
export interface RunBlockArgs {
  fleetId: string;
  hostnames: string[];
  command: string;
}
export interface RunBlockOnArgs {
  fleetId: string;
  command: string;
}

/** `*`, `?` globs as people write them for hostnames. */
export function isGlob(target: string): boolean {
  return /[*?]/.test(target);
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/** The longest literal run of a glob: what the server-side `search` (substring) can narrow by. */
export function globLiteral(glob: string): string {
  return glob.split(/[*?]+/).reduce((best, part) => (part.length > best.length ? part : best), '');
}
