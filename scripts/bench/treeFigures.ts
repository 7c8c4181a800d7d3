// The 10,000-machine fleet: click to expand → first machine row drawn, timed inside the page; and what the
// first page costs the extension host in memory.
import type { FleetServer } from '../../fleet-server/src/index';
import { SCALE_FLEET_ID } from '../../fleet-server/src/index';
import type { Session } from '../../test/e2e/harness';
import { extensionHostPid, rssMb } from './extensionHost';
import type { RequestLog } from './httpRequests';
import { type Figure, summarize } from './stats';

const VIEW = 'Machines';
const RUNS = 3;

interface TreeTiming {
  /** performance.now() at the pointerdown on the twistie. */
  down: number;
  /** ...when a row with the first machine's label entered the DOM (MutationObserver). */
  inserted: number;
  /** ...at the next animation frame after that: the frame that paints it. */
  drawn: number;
}

/** Arms a page-side probe: the clock starts at the next pointerdown, stops when `label` is a tree row. */
async function armProbe(session: Session, label: string): Promise<void> {
  await session.page.evaluate((label) => {
    const rec = { down: 0, inserted: 0, drawn: 0 };
    (window as unknown as { __benchTree: TreeTiming }).__benchTree = rec;
    const present = () =>
      Array.from(document.querySelectorAll('.monaco-list-row .label-name')).some((n) => n.textContent?.trim() === label);
    if (present()) throw new Error(`${label} is already shown before expanding`);
    const onDown = () => {
      if (!rec.down) rec.down = performance.now();
    };
    window.addEventListener('pointerdown', onDown, { capture: true, once: true });
    window.addEventListener('mousedown', onDown, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (!rec.down || rec.inserted || !present()) return;
      rec.inserted = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => (rec.drawn = performance.now()));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, label);
}

async function readProbe(session: Session): Promise<TreeTiming> {
  await session.page.waitForFunction(() => (window as unknown as { __benchTree: TreeTiming }).__benchTree.drawn > 0, undefined, {
    polling: 5,
    timeout: 30_000,
  });
  return session.page.evaluate(() => (window as unknown as { __benchTree: TreeTiming }).__benchTree);
}

export async function treeFigures(session: Session, server: FleetServer, requests: RequestLog): Promise<Figure[]> {
  const { wb, page } = session;
  const fleet = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID);
  if (!fleet) throw new Error('the fleet server was started without scaleMachines');
  const fleetName = fleet.name;
  const firstMachine = fleet.machines[0].name ?? fleet.machines[0].hostname;
  const twistie = () => wb.views.treeRow(VIEW, fleetName).locator('.monaco-tl-twistie');
  const machineRows = () => wb.views.treeRow(VIEW, firstMachine);

  await wb.views.openContainer('CMDOP');
  const item = await wb.views.waitForTreeItem(VIEW, fleetName);
  if (item.expanded) {
    await twistie().click();
    await machineRows().waitFor({ state: 'detached', timeout: 10_000 });
  }
  const pid = extensionHostPid(session.server.userDataDir);

  const runs: (TreeTiming & { fetches: number; requestAfterMs: number })[] = [];
  let rssBefore = 0;
  let rssAfter = 0;
  for (let i = 0; i < RUNS; i++) {
    if (i > 0) {
      // Collapse, then Refresh Machines (clears the extension's page cache) so each run fetches again.
      await twistie().click();
      await machineRows().waitFor({ state: 'detached', timeout: 10_000 });
      await wb.views.clickViewTitleAction(VIEW, 'Refresh Machines');
      await wb.views.waitForTreeItem(VIEW, fleetName);
    }
    await page.waitForTimeout(500); // let the tree settle (refresh reloads the fleet list)
    if (i === 0) rssBefore = rssMb(pid);
    await armProbe(session, firstMachine);
    const clickedAt = Date.now();
    await twistie().click();
    const timing = await readProbe(session);
    if (i === 0) rssAfter = rssMb(pid);
    const pageRequests = requests.since(clickedAt, new RegExp(`/api/fleets/${SCALE_FLEET_ID}/machines`));
    runs.push({ ...timing, fetches: pageRequests.length, requestAfterMs: pageRequests.length ? pageRequests[0].at - clickedAt : NaN });
  }

  const drawn = summarize(runs.map((r) => r.drawn - r.down));
  const inserted = runs.map((r) => r.inserted - r.down);
  return [
    {
      name: `tree: expand ${fleet.machines.length} machines → first row drawn`,
      value: drawn.median,
      unit: 'ms',
      goal: { kind: 'max', value: 300, of: 'value', text: '≤ 300 ms' },
      note: `median of ${RUNS} (first expand, then collapse + Refresh Machines before each); runs ${runs.map((r) => (r.drawn - r.down).toFixed(0)).join(', ')} ms to the painting frame, ${inserted.map((t) => t.toFixed(0)).join(', ')} ms to the row in the DOM; machine-page requests per run: ${runs.map((r) => r.fetches).join(', ')}`,
      hint: `the machine-page request reached the API ${runs.map((r) => r.requestAfterMs.toFixed(0)).join(', ')} ms after the click (Node clock, so ± a few ms); the rest is the response, tree items and rendering`,
      detail: { runs },
    },
    {
      name: 'tree: extension-host RSS growth, first page',
      value: rssAfter - rssBefore,
      unit: 'MB',
      goal: { kind: 'max', value: 50, of: 'value', text: '≤ 50 MB extra' },
      note: `extension host (pid ${pid}) RSS ${rssBefore.toFixed(1)} MB before expanding → ${rssAfter.toFixed(1)} MB after the first page was drawn`,
      detail: { pid, rssBefore, rssAfter },
    },
  ];
}
