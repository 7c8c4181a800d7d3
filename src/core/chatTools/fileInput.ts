import type { Checked } from './toolInput';

/** What a model may pass to cmdop_readFile, after checking. */
export interface ReadFileInput {
  fleet?: string;
  /** One exact hostname: a file is read from one machine. */
  machine: string;
  /** Absolute, `~`-relative or home-relative path on that machine. */
  path: string;
}

/** What a model may pass to cmdop_searchFiles, after checking. */
export interface SearchFilesInput {
  fleet?: string;
  machine: string;
  /** Where to search; undefined means the machine's home folder. */
  path?: string;
  filenamePattern?: string;
  contentPattern?: string;
  caseSensitive: boolean;
  maxResults: number;
}

export const MAX_PATH_LENGTH = 4096;
export const MAX_SEARCH_RESULTS = 500;
export const DEFAULT_SEARCH_RESULTS = 100;

const HOSTNAME = /^[A-Za-z0-9._-]+$/;
// Paths and patterns are handed to the file RPCs, never to a shell; control characters still make no sense in them.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkReadFileInput(raw: unknown): Checked<ReadFileInput> {
  const common = machineAndFleet(raw, '{ "machine": "web-1", "path": "/etc/nginx/nginx.conf" }');
  if (!common.ok) return common;
  const path = pathOf(common.value.input.path, true);
  if (typeof path === 'object') return path;
  return { ok: true, value: { fleet: common.value.fleet, machine: common.value.machine, path: path! } };
}

export function checkSearchFilesInput(raw: unknown): Checked<SearchFilesInput> {
  const common = machineAndFleet(raw, '{ "machine": "web-1", "path": "/var/log", "contentPattern": "ERROR" }');
  if (!common.ok) return common;
  const { input, fleet, machine } = common.value;
  const path = pathOf(input.path, false);
  if (typeof path === 'object') return path;
  const filenamePattern = patternOf(input.filenamePattern, 'filenamePattern');
  if (typeof filenamePattern === 'object') return filenamePattern;
  const contentPattern = patternOf(input.contentPattern, 'contentPattern');
  if (typeof contentPattern === 'object') return contentPattern;
  if (!filenamePattern && !contentPattern)
    return problem('Give "contentPattern" (a regular expression to find in files), "filenamePattern" (a glob such as "*.conf"), or both.');
  if (contentPattern) {
    try {
      new RegExp(contentPattern);
    } catch (err) {
      return problem(`"contentPattern" is not a valid regular expression: ${(err as Error).message}.`);
    }
  }
  if (input.caseSensitive !== undefined && typeof input.caseSensitive !== 'boolean')
    return problem('"caseSensitive" must be true or false.');
  let maxResults = DEFAULT_SEARCH_RESULTS;
  if (input.maxResults !== undefined) {
    const n = input.maxResults;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SEARCH_RESULTS)
      return problem(`"maxResults" must be a whole number from 1 to ${MAX_SEARCH_RESULTS}.`);
    maxResults = n;
  }
  return {
    ok: true,
    value: { fleet, machine, path, filenamePattern, contentPattern, caseSensitive: input.caseSensitive === true, maxResults },
  };
}

function machineAndFleet(raw: unknown, example: string): Checked<{ input: Record<string, unknown>; fleet?: string; machine: string }> {
  const input = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!input) return problem(`The input must be an object such as ${example}.`);
  if (input.fleet !== undefined && input.fleet !== null && typeof input.fleet !== 'string') return problem('"fleet" must be text.');
  const fleet = typeof input.fleet === 'string' ? input.fleet.trim() || undefined : undefined;
  const machine = typeof input.machine === 'string' ? input.machine.trim() : '';
  if (!machine) return problem('"machine" must be one exact hostname, e.g. "web-1". Use cmdop_listMachines to see the names.');
  if (!HOSTNAME.test(machine))
    return problem(`"${machine.slice(0, 80)}" is not a hostname: give one exact hostname (no wildcards), e.g. "web-1".`);
  return { ok: true, value: { input, fleet, machine } };
}

function pathOf(value: unknown, required: boolean): string | undefined | { ok: false; problem: string } {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    return required ? problem('"path" must be the file\'s path on the machine, e.g. "/etc/hosts" or "~/app/config.yml".') : undefined;
  }
  if (typeof value !== 'string') return problem('"path" must be text.');
  const path = value.trim();
  if (path.length > MAX_PATH_LENGTH) return problem(`"path" is ${path.length} characters long; at most ${MAX_PATH_LENGTH} are allowed.`);
  if (CONTROL.test(path)) return problem('"path" contains control characters; give a plain path.');
  return path;
}

function patternOf(value: unknown, name: string): string | undefined | { ok: false; problem: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return problem(`"${name}" must be text.`);
  if (value.length > 1000) return problem(`"${name}" is longer than 1000 characters.`);
  if (CONTROL.test(value)) return problem(`"${name}" contains control characters.`);
  return value || undefined;
}

function problem(text: string): { ok: false; problem: string } {
  return { ok: false, problem: text };
}
