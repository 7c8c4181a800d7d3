// The figures that need the real workbench (code-server + Chromium), all in one session:
// sign in through the device flow (timed), reload the window several times (activation), then the big tree.
import type { FleetServer } from '../../fleet-server/src/index';
import { fleetSession } from '../../test/e2e/flows/fleetSession';
import { startSession } from '../../test/e2e/harness';
import { activationFigure } from './activationFigure';
import type { RequestLog } from './httpRequests';
import { signInFigure } from './signInFigure';
import type { Figure } from './stats';
import { treeFigures } from './treeFigures';

export const ACTIVATION_RELOADS = 6;

export async function workbenchFigures(server: FleetServer, requests: RequestLog): Promise<Figure[]> {
  const session = await startSession({ ...fleetSession('bench'), fleet: server });
  try {
    await session.wb.statusBar.waitForText('cmdop.status', /Sign in/, 60_000);
    const signIn = await signInFigure(session, server, requests);
    const activation = await activationFigure(session, ACTIVATION_RELOADS, /OAuth$/);
    const tree = await treeFigures(session, server, requests);
    return [activation, ...tree, signIn];
  } catch (error) {
    const files = await session.captureFailure('bench').catch(() => []);
    if (files.length) console.error(`bench: workbench state saved to ${files.join(', ')}`);
    throw error;
  } finally {
    await session.close();
  }
}
