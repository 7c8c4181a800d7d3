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
}

export const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;

export function machineView(machine: Machine): MachineView {
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

/** Online first, then by name (hostname breaks ties), so pages are stable between requests. */
function compareMachines(a: Machine, b: Machine): number {
  if (a.isOnline !== b.isOnline) return a.isOnline ? -1 : 1;
  return a.name.localeCompare(b.name, 'en') || a.hostname.localeCompare(b.hostname, 'en') || a.id.localeCompare(b.id);
}

function positiveInteger(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new HttpError(400, `${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export function listMachines(fleet: Fleet, params: URLSearchParams): MachinePage {
  const page = positiveInteger(params, 'page', 1);
  const pageSize = Math.min(positiveInteger(params, 'page_size', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const search = (params.get('search') ?? '').trim().toLowerCase();
  const matching = fleet.machines
    .filter((m) => !search || m.name.toLowerCase().includes(search) || m.hostname.toLowerCase().includes(search))
    .sort(compareMachines);
  const start = (page - 1) * pageSize;
  return {
    count: matching.length,
    results: matching.slice(start, start + pageSize).map(machineView),
    has_next: start + pageSize < matching.length,
  };
}
