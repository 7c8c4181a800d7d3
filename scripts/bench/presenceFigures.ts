// What live presence costs the REST API with the 10,000-machine fleet expanded and left idle — requests
// per minute by the Machines tree with the view visible, then hidden. The baseline is what the design allows:
// one fetch of each loaded page per interval while visible (the first page of 50 only: 6 a minute at 10 s), and
// nothing while hidden.
import type { FleetServer } from '../../fleet-server/src/index';
import { SCALE_FLEET_ID } from '../../fleet-server/src/index';
import type { Session } from '../../test/e2e/harness';
import type { RequestLog } from './httpRequests';
import type { Figure } from './stats';

const VIEW = 'Machines';
const IDLE_MS = 40_000;
const INTERVAL_S = 10; // cmdop.machines.refreshInterval default
const LOADED_PAGES = 1;

export async function presenceFigures(session: Session, server: FleetServer, requests: RequestLog): Promise<Figure[]> {
  const { wb, page } = session;
  const fleet = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID);
  if (!fleet) throw new Error('the fleet server was started without scaleMachines');
  const pages = new RegExp(`/api/fleets/${SCALE_FLEET_ID}/machines`);
  const all = /^\/api\//;
  await wb.views.openContainer('CMDOP');
  const item = await wb.views.waitForTreeItem(VIEW, fleet.name);
  if (!item.expanded) await wb.views.expandTreeItem(VIEW, fleet.name);
  await wb.views.waitForTreeItem(VIEW, fleet.machines[0].name ?? fleet.machines[0].hostname);

  const idle = async () => {
    const from = Date.now();
    await page.waitForTimeout(IDLE_MS);
    const perMinute = (re: RegExp) => (requests.since(from, re).filter((r) => r.at < from + IDLE_MS).length * 60_000) / IDLE_MS;
    return { pages: perMinute(pages), api: perMinute(all) };
  };
  const visible = await idle();
  await wb.views.openContainer('Explorer');
  await page.waitForTimeout(1_000); // a poll already in flight when the view was hidden may still land
  const hidden = await idle();
  await wb.views.openContainer('CMDOP');

  const allowed = LOADED_PAGES * (60 / INTERVAL_S);
  const note = `${fleet.machines.length} machines, first page (50) loaded and expanded, idle ${IDLE_MS / 1000} s per figure, interval ${INTERVAL_S} s`;
  return [
    {
      name: 'tree: requests/min, 10k fleet expanded, idle, view visible',
      value: visible.pages,
      unit: 'req/min',
      baseline: { label: `loaded pages × 60/interval = ${allowed}`, value: allowed },
      goal: { kind: 'max', value: 1.25, of: 'ratio', text: '≤ 1 fetch per loaded page per interval' },
      note: `${note}; all REST calls ${visible.api.toFixed(1)}/min`,
      detail: { visible, hidden, idleMs: IDLE_MS },
    },
    {
      name: 'tree: requests/min, 10k fleet expanded, idle, view hidden',
      value: hidden.pages,
      unit: 'req/min',
      goal: { kind: 'max', value: 0.5, of: 'value', text: '0 (paused while hidden)' },
      note: `${note}; the Explorer shown instead; all REST calls ${hidden.api.toFixed(1)}/min`,
    },
  ];
}
