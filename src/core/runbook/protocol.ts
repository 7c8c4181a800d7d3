// The custom LSP messages between the runbook language server and the extension. The server never holds a
// credential: it asks the extension for fleet facts and the extension answers with its own authenticated client.
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

/** `cmdop/fleets` (server → extension), no params. */
export const FLEETS_REQUEST = 'cmdop/fleets';
export interface FleetsAnswer {
  fleets: FleetFact[];
  /** The fleet the extension's resolver picks now: the default when a runbook names none. */
  activeFleetId?: string;
  /** Set when the extension cannot answer (signed out, server unreachable): what to do, shown once per runbook. */
  problem?: string;
}

/** `cmdop/machines` (server → extension): exact hostnames, all of one document in one request. */
export const MACHINES_REQUEST = 'cmdop/machines';
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

/** `cmdop/globs` (server → extension): which hostnames each glob matches. */
export const GLOBS_REQUEST = 'cmdop/globs';
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

/** `cmdop/search` (server → extension): completion candidates for typed text (one page, server-side search). */
export const SEARCH_REQUEST = 'cmdop/search';
export interface SearchParams {
  fleetId: string;
  text: string;
}
export type SearchAnswer = MachineFact[];

/** `cmdop/factsChanged` (extension → server): fleet switched, signed in/out, or presence changed; re-check. */
export const FACTS_CHANGED_NOTIFICATION = 'cmdop/factsChanged';

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
