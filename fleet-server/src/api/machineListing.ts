import type { Fleet } from '../fleet/fleetDirectory';
import type { Machine } from '../fleet/machine';
import { HttpError } from './httpJson';

export interface MachineView {
  id: string;
  name: string;
  hostname: string;
  os: string;
  is_online: boolean;
  status: 'online' | 'offline';
  last_seen: string | null;
  agent_version: string;
}

export interface MachinePage {
  count: number;
  results: MachineView[];
  has_next: boolean;
  /**
   * This project's addition, only when the request had `cursor`: where the next page starts (null on the last).
   * Keyset pages are ordered by name, hostname and id, which presence never changes, so paging through the list
   * while machines come and go loses and repeats none (offset pages over an online-first order can do both).
   */
  next_cursor?: string | null;
}

const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;

function machineView(machine: Machine): MachineView {
  return {
    id: machine.id,
    name: machine.name,
    hostname: machine.hostname,
    os: machine.os,
    is_online: machine.isOnline,
    status: machine.isOnline ? 'online' : 'offline',
    last_seen: machine.lastSeenAt?.toISOString() ?? null,
    agent_version: machine.agentVersion,
  };
}

/** By name (hostname, then id break ties), sorted once per fleet: a fleet's machines and their names do not change. */
function compareNames(a: Machine, b: Machine): number {
  return a.name.localeCompare(b.name, 'en') || a.hostname.localeCompare(b.hostname, 'en') || a.id.localeCompare(b.id);
}
const sortedByName = new WeakMap<readonly Machine[], Machine[]>();

/** A fleet's machines sorted by `compare`, kept in `cache` until the fleet's machine list changes. */
function sortedOnce(fleet: Fleet, cache: WeakMap<readonly Machine[], Machine[]>, compare: (a: Machine, b: Machine) => number): Machine[] {
  let sorted = cache.get(fleet.machines);
  if (!sorted || sorted.length !== fleet.machines.length) {
    sorted = [...fleet.machines].sort(compare);
    cache.set(fleet.machines, sorted);
  }
  return sorted;
}

/** Online first, then by name: what upstream's offset pages are ordered by (one linear pass per request). */
function onlineFirst(fleet: Fleet): Machine[] {
  const sorted = sortedOnce(fleet, sortedByName, compareNames);
  return [...sorted.filter((m) => m.isOnline), ...sorted.filter((m) => !m.isOnline)];
}

function positiveInteger(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new HttpError(400, `${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** `keyset`: this project's `cursor` parameter is honoured (off with --upstream-only: upstream ignores it). */
export function listMachines(fleet: Fleet, params: URLSearchParams, { keyset = true } = {}): MachinePage {
  const pageSize = Math.min(positiveInteger(params, 'page_size', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const search = (params.get('search') ?? '').trim().toLowerCase();
  if (keyset && params.has('cursor')) return keysetPage(fleet, params.get('cursor') ?? '', pageSize, search);
  const page = positiveInteger(params, 'page', 1);
  const matching = onlineFirst(fleet).filter(
    (m) => !search || m.name.toLowerCase().includes(search) || m.hostname.toLowerCase().includes(search),
  );
  const start = (page - 1) * pageSize;
  return {
    count: matching.length,
    results: matching.slice(start, start + pageSize).map(machineView),
    has_next: start + pageSize < matching.length,
  };
}

type Key = [name: string, hostname: string, id: string];
const keyOf = (m: Machine): Key => [m.name, m.hostname, m.id];

/** Code-unit order of (name, hostname, id): total, and cheap enough to binary-search 100,000 machines. */
function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

const sortedByKey = new WeakMap<readonly Machine[], Machine[]>();
const machinesByKey = (fleet: Fleet) => sortedOnce(fleet, sortedByKey, (a, b) => compareKeys(keyOf(a), keyOf(b)));

function encodeCursor(m: Machine): string {
  return Buffer.from(JSON.stringify(keyOf(m))).toString('base64url');
}

function decodeCursor(cursor: string): Key {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string')) return key as Key;
  } catch {
    // reported below
  }
  throw new HttpError(400, 'cursor is not one this server handed out (next_cursor of a previous page); list again without it');
}

/** The page after `cursor` ('' = from the start): the first machines whose key sorts after it. */
function keysetPage(fleet: Fleet, cursor: string, pageSize: number, search: string): MachinePage {
  const sorted = machinesByKey(fleet);
  const matches = (m: Machine) => !search || m.name.toLowerCase().includes(search) || m.hostname.toLowerCase().includes(search);
  let start = 0;
  if (cursor) {
    const after = decodeCursor(cursor);
    let high = sorted.length;
    while (start < high) {
      const mid = (start + high) >> 1;
      if (compareKeys(keyOf(sorted[mid]), after) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  const page: Machine[] = [];
  let hasNext = false;
  for (let i = start; i < sorted.length; i++) {
    if (!matches(sorted[i])) continue;
    if (page.length === pageSize) {
      hasNext = true;
      break;
    }
    page.push(sorted[i]);
  }
  return {
    count: search ? sorted.reduce((n, m) => n + (matches(m) ? 1 : 0), 0) : sorted.length,
    results: page.map(machineView),
    has_next: hasNext,
    next_cursor: hasNext ? encodeCursor(page[page.length - 1]) : null,
  };
}
