import type { FleetToolsDeps } from '../../core/chatTools/fleetTools';
import type { ActiveContext } from '../../core/fleet/fleetContext';
import { listAllMachines } from '../../core/fanOut/targets';
import { type FanOutDeps, fanOutSettings, launchFanOut } from '../fanOutLauncher';

/** What the chat tools need, from the same services and fan-out engine as the Machines and Runs views. */
export function chatToolDeps(deps: FanOutDeps, lastKnown: () => ActiveContext | undefined): FleetToolsDeps {
  return {
    choices: () => deps.fleets.choices(),
    current: (fleetId) => deps.fleets.current({ fleetId }),
    lastKnown,
    machines: (context) => listAllMachines(deps.api, context.credential, context.fleet.id),
    timeoutSeconds: () => fanOutSettings().timeoutMs / 1000,
    run: async (request) => {
      const run = await launchFanOut(deps, request.fleet, request.hostnames, request.command, {
        origin: 'chat',
        timeoutMs: request.timeoutMs,
        machines: request.machines,
        confirmed: request.namedExactly,
        signal: request.signal,
      });
      if (!run) return undefined;
      const results = await run.fanOut.done;
      return { id: run.id, results, counts: run.fanOut.counts() };
    },
  };
}
