// The Machines view's paging at scale, through the extension's core (PagedList over REST, in a child process): the
// first page of a 100,000-machine fleet and a filter to one hostname in it; a 10,000-machine fleet loaded to its
// end with Load more while the presence reload runs. What the workbench adds to draw rows is in treeFigures.ts.
import { join } from 'node:path';
import { type FleetServer, SCALE_FLEET_ID, startFleetServer } from '../../fleet-server/src/index';
import { runJsonClient } from './childClient';
import type { PagingResult, PagingTarget } from './pagingClient';
import { type Figure, median, summarize } from './stats';

const CLIENT = join(__dirname, 'pagingClient.ts');
const LARGE_FLEET = 100_000;

function targetOf(server: FleetServer): PagingTarget {
  const fleet = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID)!;
  return {
    apiUrl: server.apiUrl,
    fleetId: SCALE_FLEET_ID,
    secret: fleet.api_keys[0].secret,
    hostname: fleet.machines[fleet.machines.length - 7].hostname,
  };
}

const run = (mode: 'first' | 'toEnd', target: PagingTarget) =>
  runJsonClient<Partial<PagingResult>>(`paging client (${mode})`, CLIENT, (out) => [mode, JSON.stringify(target), out], ['--expose-gc']);

/** `tenThousand`: the benchmark's server with its 10,000-machine scale fleet. */
export async function pagingFigures(tenThousand: FleetServer): Promise<Figure[]> {
  const large = await startFleetServer({ scaleMachines: LARGE_FLEET });
  let first: Partial<PagingResult>;
  try {
    first = await run('first', targetOf(large));
  } finally {
    await large.close();
  }
  const toEnd = await run('toEnd', targetOf(tenThousand));
  const page = summarize(first.firstPageMs!);
  const filter = summarize(first.filterMs!);
  const loads = toEnd.loadMoreMs!;
  // The first and last five Load more (medians), so one slow request does not decide it.
  const firstLoads = median(loads.slice(0, 5));
  const lastLoads = median(loads.slice(-5));
  const fleetSize = tenThousand.seed.fleets.find((f) => f.id === SCALE_FLEET_ID)!.machines.length;
  return [
    {
      name: `machines: ${LARGE_FLEET.toLocaleString('en')}-machine fleet, expand → first page (core + REST)`,
      value: page.median,
      unit: 'ms',
      goal: { kind: 'max', value: 150, of: 'value', text: '≤ 150 ms' },
      note: `median of ${page.n} (min ${page.min.toFixed(1)}, max ${page.max.toFixed(1)} ms); PagedList.loadMore over REST, 50 a page; the workbench's drawing is in the tree rows`,
    },
    {
      name: `machines: ${LARGE_FLEET.toLocaleString('en')}-machine fleet, first page memory (client heap)`,
      value: first.firstPageHeapMb!,
      unit: 'MB',
      goal: { kind: 'max', value: 30, of: 'value', text: '≤ 30 MB' },
    },
    {
      name: `machines: filter a ${LARGE_FLEET.toLocaleString('en')}-machine fleet to one hostname → shown`,
      value: filter.median,
      unit: 'ms',
      goal: { kind: 'max', value: 300, of: 'value', text: '≤ 300 ms' },
      note: `median of ${filter.n}; ${first.filterShown} machine(s) shown`,
    },
    {
      name: `machines: ${fleetSize.toLocaleString('en')}-machine fleet loaded to the end: rows shown`,
      value: toEnd.rowsShown!,
      unit: 'rows',
      goal: { kind: 'min', value: fleetSize, valueAtMost: fleetSize, of: 'value', text: `${fleetSize.toLocaleString('en')} exactly` },
      note: `${toEnd.distinctRows} distinct, ${loads.length} Load more, the presence reload running every ten`,
      detail: { loadMoreMs: loads },
    },
    {
      name: `machines: ${fleetSize.toLocaleString('en')}-machine fleet, last Load more vs first`,
      value: lastLoads,
      unit: 'ms',
      baseline: { label: 'first Load more', value: firstLoads },
      goal: { kind: 'max', value: 1.5, of: 'ratio', text: '≤ 1.5×' },
      note: 'medians of the first and the last five; core + REST (the workbench redraws the fleet’s rows on each; see the tree rows)',
    },
  ];
}
