// The figures that need the real workbench (code-server + Chromium), all in one session:
// sign in through the device flow (timed), reload the window several times (activation), then the big tree.
import type { FleetServer } from '../../fleet-server/src/index';
import { fleetSession } from '../../test/e2e/flows/fleetSession';
import { startSession } from '../../test/e2e/harness';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFile } from '../../test/e2e/flows/editor';
import { type Session, waitFor } from '../../test/e2e/harness';
import { activationFigure, cmdopLogs } from './activationFigure';
import type { RequestLog } from './httpRequests';
import { signInFigure } from './signInFigure';
import type { Figure } from './stats';
import { presenceFigures } from './presenceFigures';
import { treeFigures } from './treeFigures';

export const ACTIVATION_RELOADS = 6;

export async function workbenchFigures(server: FleetServer, requests: RequestLog): Promise<Figure[]> {
  const session = await startSession({ ...fleetSession('bench'), fleet: server });
  try {
    await session.wb.statusBar.waitForText('cmdop.status', /Sign in/, 60_000);
    const signIn = await signInFigure(session, server, requests);
    const plainLogs = new Set(cmdopLogs(session));
    const activation = await activationFigure(session, ACTIVATION_RELOADS, /OAuth$/);
    const withoutRunbook = cmdopLogs(session).filter((f) => !plainLogs.has(f));
    const tree = await treeFigures(session, server, requests);
    const presence = await presenceFigures(session, server, requests);
    const runbook = await runbookActivationFigure(session, activation, withoutRunbook);
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
const serverStartedIn = (logs: string[]) => logs.filter((f) => SERVER_STARTED.test(readFileSync(f, 'utf8'))).length;

/**
 * Activation with the example runbook open (restored with the window on every reload): the language server
 * starts after activate() returns, so the time inside it stays the same. Also counts the extension hosts that
 * started the server without a runbook open (must be none).
 */
async function runbookActivationFigure(session: Session, plain: Figure, withoutRunbook: string[]): Promise<Figure> {
  copyFileSync('examples/restart-api.runbook.md', join(session.server.folder, 'restart-api.runbook.md'));
  await openFile(session, 'restart-api.runbook.md');
  const before = new Set(cmdopLogs(session));
  const serverUp = () =>
    waitFor('the runbook language server to start', () => (cmdopLogs(session).filter((f) => !before.has(f)).some((f) => SERVER_STARTED.test(readFileSync(f, 'utf8'))) ? true : undefined), {
      timeoutMs: 60_000,
    });
  const figure = await activationFigure(session, ACTIVATION_RELOADS, /OAuth$/, {
    name: `activation with a runbook open (${ACTIVATION_RELOADS} reloads)`,
    afterEach: async () => {
      await serverUp();
      for (const f of cmdopLogs(session)) before.add(f);
    },
  });
  return {
    ...figure,
    baseline: { label: 'no runbook open', value: plain.value },
    goal: { kind: 'max', value: 1.2, of: 'ratio', text: '≤ 1.2× (unchanged)' },
    note: `${figure.note}; language server started in ${serverStartedIn(withoutRunbook)} of ${withoutRunbook.length} windows without a runbook, in every one with it`,
  };
}
