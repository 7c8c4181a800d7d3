// Paging a 10,000-machine fleet to its end the way the Machines view does (PagedList over the REST API, 50 a page)
// while the presence poll reloads the loaded pages and machines come online and go offline in between: every
// machine is shown exactly once, and the count shown never goes back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FleetServer, SCALE_FLEET_ID, startFleetServer } from '../../fleet-server/src/index';
import type { Credential } from '../../src/core/credentials/credential';
import { listAllMachines } from '../../src/core/fanOut/targets';
import { FleetApi, type Machine } from '../../src/core/fleet/fleetApi';
import { PagedList } from '../../src/core/fleet/pagedList';

const MACHINES = 10_000;

describe('machine paging while presence changes', () => {
  let server: FleetServer;
  let credential: Credential;
  let hostnames: string[];
  before(async () => {
    server = await startFleetServer({ scaleMachines: MACHINES, scaleOnline: 20 });
    const fleet = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID)!;
    credential = { kind: 'apiKey', source: 'explicit', secret: fleet.api_keys[0].secret, fleetId: SCALE_FLEET_ID };
    hostnames = fleet.machines.map((m) => m.hostname);
  });
  after(async () => {
    await server?.close();
  });

  /** Brings a machine online or takes it offline: the online-first order of offset pages moves under the reader. */
  async function flip(i: number): Promise<void> {
    const hostname = hostnames[(i * 7919) % hostnames.length];
    const online = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID)!.machines.some((m) => m.hostname === hostname && m.online);
    await (i % 2 || online ? server.stopMachine(SCALE_FLEET_ID, hostname) : server.startMachine(SCALE_FLEET_ID, hostname));
  }

  async function loadToTheEnd(upstreamShape: boolean): Promise<{ ids: string[]; shown: number[] }> {
    const api = new FleetApi(server.apiUrl);
    const list = new PagedList<Machine>(
      // upstreamShape: as against an upstream server, which has no cursors (the client then goes by page number).
      ({ page, cursor }) => api.machines(credential, SCALE_FLEET_ID, { page, cursor: upstreamShape ? undefined : cursor, pageSize: 50 }),
      (m) => m.id,
    );
    const shown: number[] = [];
    for (let round = 0; list.hasMore; round++) {
      // Every tenth page: the presence poll runs while the next page is asked for, and a machine comes or goes.
      if (round % 10 === 5) await Promise.all([list.reloadLoaded(), list.loadMore(), flip(round)]);
      else await list.loadMore();
      shown.push(list.loaded.length);
    }
    await list.reloadLoaded();
    shown.push(list.loaded.length);
    return { ids: list.loaded.map((m) => m.id), shown };
  }

  it('loads every machine exactly once, the shown count only growing, with a reload and a presence change every ten pages', async () => {
    const { ids, shown } = await loadToTheEnd(false);
    assert.equal(ids.length, MACHINES, 'rows shown');
    assert.equal(new Set(ids).size, MACHINES, 'no machine twice');
    assert.ok(
      shown.every((n, i) => i === 0 || n >= shown[i - 1]),
      `the shown count went back: ${shown.filter((n, i) => i > 0 && n < shown[i - 1]).join(', ')}`,
    );
  });

  it('a fan-out target list read while machines come online misses none and repeats none', async () => {
    const listing = listAllMachines(new FleetApi(server.apiUrl), credential, SCALE_FLEET_ID);
    await Promise.all([listing, flip(3), flip(4)]);
    const ids = (await listing).map((m) => m.id);
    assert.equal(new Set(ids).size, MACHINES);
    assert.equal(ids.length, MACHINES);
  });

  it('against a server without cursors, pages by number still never show a machine twice', async () => {
    const { ids } = await loadToTheEnd(true);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('hands out cursors only where asked, refuses a forged one, and an upstream-only server keeps the upstream shape', async () => {
    const api = new FleetApi(server.apiUrl);
    const byPage = await api.machines(credential, SCALE_FLEET_ID, { page: 1, pageSize: 50 });
    assert.equal(byPage.next_cursor, undefined, 'no cursor without asking: the upstream shape');
    const first = await api.machines(credential, SCALE_FLEET_ID, { page: 1, pageSize: 50, cursor: '' });
    const second = await api.machines(credential, SCALE_FLEET_ID, { page: 2, pageSize: 50, cursor: first.next_cursor! });
    assert.equal(first.count, MACHINES);
    assert.equal(second.results.length, 50);
    assert.ok(!second.results.some((m) => first.results.some((f) => f.id === m.id)));
    await assert.rejects(
      api.machines(credential, SCALE_FLEET_ID, { page: 2, pageSize: 50, cursor: 'forged' }),
      /cursor is not one this server handed out/,
    );
    const upstream = await startFleetServer({ scaleMachines: 300, upstreamOnly: true });
    try {
      const key = upstream.seed.fleets.find((f) => f.id === SCALE_FLEET_ID)!.api_keys[0].secret;
      const page = await new FleetApi(upstream.apiUrl).machines({ ...credential, secret: key }, SCALE_FLEET_ID, {
        page: 2,
        pageSize: 50,
        cursor: '',
      });
      assert.equal(page.next_cursor, undefined);
      assert.equal(page.results.length, 50);
      assert.equal(page.has_next, true);
    } finally {
      await upstream.close();
    }
  });
});
