import type { Credential } from '../credentials/credential';
import type { FleetApi, Machine } from '../fleet/fleetApi';
import { PagedList } from '../fleet/pagedList';
import { compareHostnames } from './grouping';

const PAGE = 200;

/**
 * Every machine of a fleet, page after page (the API serves at most 200 a page), by cursor where the server has them,
 * so machines coming online while the list is read are neither skipped nor listed twice.
 */
export async function listAllMachines(api: FleetApi, credential: Credential, fleetId: string, search?: string): Promise<Machine[]> {
  const list = new PagedList(
    ({ page, cursor }) => api.machines(credential, fleetId, { page, cursor, pageSize: PAGE, search }),
    (m) => m.id,
  );
  let before = -1;
  // An empty page ends it too (a server saying has_next with nothing on the page).
  while (list.hasMore && list.loaded.length > before) {
    before = list.loaded.length;
    await list.loadMore();
  }
  return [...list.loaded];
}

export interface Targets {
  /** Online: run on these, in hostname order. */
  run: string[];
  /** Offline or unknown: listed as skipped with the reason, never silently dropped. */
  skipped: { hostname: string; reason: string }[];
}

/** Splits the wanted hostnames into the ones to run on and the ones to list as skipped. */
export function chooseTargets(machines: Machine[], wanted: string[]): Targets {
  const byHostname = new Map(machines.map((m) => [m.hostname, m]));
  const run: string[] = [];
  const skipped: Targets['skipped'] = [];
  for (const hostname of [...new Set(wanted)].sort(compareHostnames)) {
    const machine = byHostname.get(hostname);
    if (!machine) skipped.push({ hostname, reason: 'no such machine in this fleet' });
    else if (!machine.is_online) skipped.push({ hostname, reason: 'offline' });
    else run.push(hostname);
  }
  return { run, skipped };
}
