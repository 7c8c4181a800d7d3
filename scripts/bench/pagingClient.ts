// Child process of the paging benchmark (pagingFigures.ts): the Machines view's paging (core PagedList over the
// REST API, 50 machines a page, as machinesTree.ts asks) in its own process, so memory and time are its alone.
//   first: the first page of a large fleet (what expanding it fetches), and a filter to one hostname;
//   toEnd: Load more until nothing is left, with the presence reload running every ten pages.
import { writeFileSync } from 'node:fs';
import type { Credential } from '../../src/core/credentials/credential';
import { FleetApi, type Machine } from '../../src/core/fleet/fleetApi';
import { PagedList } from '../../src/core/fleet/pagedList';

export interface PagingTarget {
  apiUrl: string;
  fleetId: string;
  secret: string;
  /** For the filter: the hostname to filter to. */
  hostname: string;
}

export interface PagingResult {
  firstPageMs: number[];
  firstPageHeapMb: number;
  filterMs: number[];
  filterShown: number;
  loadMoreMs: number[];
  rowsShown: number;
  distinctRows: number;
}

const PAGE_SIZE = 50;

async function measure(t: PagingTarget, mode: 'first' | 'toEnd'): Promise<Partial<PagingResult>> {
  const api = new FleetApi(t.apiUrl);
  const credential: Credential = { kind: 'apiKey', source: 'explicit', secret: t.secret, fleetId: t.fleetId };
  const list = (search?: string) =>
    new PagedList<Machine>(
      ({ page, cursor }) => api.machines(credential, t.fleetId, { page, cursor, pageSize: PAGE_SIZE, search }),
      (m) => m.id,
    );
  await list().loadMore(); // connection up, as after the fleet list the tree shows first
  if (mode === 'first') {
    const firstPageMs: number[] = [];
    const filterMs: number[] = [];
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const kept: PagedList<Machine>[] = [];
    let filterShown = 0;
    for (let i = 0; i < 5; i++) {
      const fresh = list();
      let began = performance.now();
      await fresh.loadMore();
      firstPageMs.push(performance.now() - began);
      kept.push(fresh);
      const filtered = list(t.hostname);
      began = performance.now();
      await filtered.loadMore();
      filterMs.push(performance.now() - began);
      filterShown = filtered.loaded.length;
    }
    global.gc?.();
    const firstPageHeapMb = (process.memoryUsage().heapUsed - heap0) / 1e6 / kept.length;
    return { firstPageMs, firstPageHeapMb, filterMs, filterShown };
  }
  const all = list();
  const loadMoreMs: number[] = [];
  for (let round = 0; all.hasMore; round++) {
    const reload = round % 10 === 5 ? all.reloadLoaded() : undefined;
    const began = performance.now();
    await all.loadMore();
    loadMoreMs.push(performance.now() - began);
    await reload;
  }
  return { loadMoreMs, rowsShown: all.loaded.length, distinctRows: new Set(all.loaded.map((m) => m.id)).size };
}

if (require.main === module) {
  const [mode, targetJson, out] = process.argv.slice(2);
  measure(JSON.parse(targetJson) as PagingTarget, mode as 'first' | 'toEnd').then(
    (result) => {
      writeFileSync(out, JSON.stringify(result));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
