// The figures that need the real workbench (code-server + Chromium), all in one session:
// sign in through the device flow (timed), reload the window several times (activation), then the big tree.
import type { FleetServer } from '../../fleet-server/src/index';
import { fleetSession } from '../../test/e2e/flows/fleetSession';
import { startSession } from '../../test/e2e/harness';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFile } from '../../test/e2e/flows/editor';
import { type Session, waitFor } from '../../test/e2e/harness';
import { activationFigure, cmdopLogs } from './activationFigure';
import type { RequestLog } from './httpRequests';
import { signInFigure } from './signInFigure';
import { type Figure, summarize } from './stats';
import { presenceFigures } from './presenceFigures';
import { treeFigures } from './treeFigures';

export const ACTIVATION_RELOADS = 6;

export async function workbenchFigures(server: FleetServer, requests: RequestLog): Promise<Figure[]> {
  const session = await startSession({ ...fleetSession('bench'), fleet: server });
  try {
    await session.wb.statusBar.waitForText('cmdop.status', /Sign in/, 60_000);
    const signIn = await signInFigure(session, server, requests);
    const activation = await activationFigure(session, ACTIVATION_RELOADS, /OAuth$/);
    const tree = await treeFigures(session, server, requests);
    const presence = await presenceFigures(session, server, requests);
    const runbook = await runbookActivationFigure(session);
    return [activation, ...tree, signIn, runbook, ...presence];
  } catch (error) {
    const files = await session.captureFailure('bench').catch(() => []);
    if (files.length) console.error(`bench: workbench state saved to ${files.join(', ')}`);
    throw error;
  } finally {
    await session.close();
  }
}

const SERVER_STARTED = /Runbook language server started/;
const ACTIVATED = /Activated in ([\d.]+) ms/;
const RESTARTS = 7;
const PLAIN = 'notes.md';
const RUNBOOK = 'restart-api.runbook.md';

/**
 * Developer: Reload Window from the palette (not a browser reload): the workbench saves its state first, so the
 * open runbook is restored in the new window.
 */
async function reloadWindow(session: Session): Promise<void> {
  const { wb, page } = session;
  await wb.quickInput.openCommandPalette();
  await wb.quickInput.fill('>Developer: Reload Window');
  await wb.quickInput.waitForItem('Developer: Reload Window');
  await Promise.all([page.waitForEvent('load', { timeout: 120_000 }), page.keyboard.press('Enter')]);
  await wb.waitReady();
}

/**
 * Activation with and without a runbook open, the same way both times (Developer: Reload Window, which restores
 * the open runbook). Also counts the extension hosts that started the language server (must be none without a
 * runbook, every one with it).
 */
async function restartSamples(session: Session, open: string | undefined): Promise<{ values: number[]; started: number }> {
  const withRunbook = open === RUNBOOK;
  const values: number[] = [];
  let started = 0;
  for (let i = 0; i < RESTARTS; i++) {
    const before = new Set(cmdopLogs(session));
    await reloadWindow(session);
    if (open && !(await session.wb.title()).includes(open)) throw new Error(`${open} was not restored by the reload`);
    const log = await waitFor(
      'a new extension host to log "Activated in"',
      () => cmdopLogs(session).find((f) => !before.has(f) && ACTIVATED.test(readFileSync(f, 'utf8'))),
      {
        timeoutMs: 60_000,
        intervalMs: 50,
      },
    );
    values.push(Number(ACTIVATED.exec(readFileSync(log, 'utf8'))![1]));
    await session.wb.statusBar.waitForText('cmdop.status', /OAuth$/, 60_000);
    if (withRunbook)
      await waitFor('the runbook language server to start', () => (SERVER_STARTED.test(readFileSync(log, 'utf8')) ? true : undefined), {
        timeoutMs: 60_000,
      });
    else await new Promise((resolve) => setTimeout(resolve, 2_000)); // time enough for a wrongly started server to say so
    if (SERVER_STARTED.test(readFileSync(log, 'utf8'))) started++;
  }
  return { values, started };
}

export async function runbookActivationFigure(session: Session): Promise<Figure> {
  await session.wb.runCommand('View: Close All Editors', { id: 'workbench.action.closeAllEditors' });
  const none = await restartSamples(session, undefined);
  // A plain Markdown file open: VS Code's own Markdown extension starts too, on the same 2 shared cores.
  writeFileSync(join(session.server.folder, PLAIN), '# Notes\n\n```sh\nuptime\n```\n');
  await openFile(session, PLAIN);
  const plain = await restartSamples(session, PLAIN);
  await session.wb.runCommand('View: Close All Editors', { id: 'workbench.action.closeAllEditors' });
  copyFileSync(join('examples', RUNBOOK), join(session.server.folder, RUNBOOK));
  await openFile(session, RUNBOOK);
  const runbook = await restartSamples(session, RUNBOOK);
  const [n, p, r] = [none, plain, runbook].map((x) => summarize(x.values));
  const list = (x: { values: number[] }) => x.values.map((v) => v.toFixed(1)).join(', ');
  return {
    name: `activation with a runbook open (${RESTARTS} window reloads each)`,
    value: r.median,
    unit: 'ms',
    baseline: { label: 'a plain .md open', value: p.median },
    goal: { kind: 'max', value: 1.2, of: 'ratio', text: '≤ 1.2× (unchanged)' },
    note:
      `median; min runbook ${r.min.toFixed(1)}, plain .md ${p.min.toFixed(1)}, no editor ${n.min.toFixed(1)} ms (no editor median ${n.median.toFixed(1)}); ` +
      `samples: runbook ${list(runbook)}; plain .md ${list(plain)}; no editor ${list(none)} ms; ` +
      `language server started in ${none.started + plain.started} of ${2 * RESTARTS} windows without a runbook, ${runbook.started} of ${RESTARTS} with one`,
    detail: { none, plain, runbook },
  };
}
