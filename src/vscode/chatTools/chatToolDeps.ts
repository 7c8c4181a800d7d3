import type { FileToolsDeps } from '../../core/chatTools/fileTools';
import type { FleetToolsDeps } from '../../core/chatTools/fleetTools';
import { MachineFiles } from '../../core/files/machineFiles';
import type { ActiveContext } from '../../core/fleet/fleetContext';
import { listAllMachines } from '../../core/fanOut/targets';
import { type FanOutDeps, fanOutSettings, launchFanOut } from '../fanOutLauncher';
import { relayFor } from '../relayAccess';

export type ChatToolDeps = FleetToolsDeps & FileToolsDeps;

/** What the chat tools need, from the same services and fan-out engine as the Machines and Runs views. */
export function chatToolDeps(deps: FanOutDeps, lastKnown: () => ActiveContext | undefined): ChatToolDeps {
  return {
    choices: () => deps.fleets.choices(),
    current: (fleetId) => deps.fleets.current({ fleetId }),
    lastKnown,
    machines: (context) => listAllMachines(deps.api, context.credential, context.fleet.id),
    // Read-only: relayFor with forRunning false, so a Guest may read and search.
    files: async (fleet, hostname) => new MachineFiles(await relayFor(deps.fleets, deps.pool, fleet, false), hostname),
    timeoutSeconds: () => fanOutSettings().timeoutMs / 1000,
    run: async (request) => {
      const run = await launchFanOut(deps, request.fleet, request.hostnames, request.command, {
        origin: 'chat',
        timeoutMs: request.timeoutMs,
        machines: request.machines,
        // VS Code's confirmation named exactly these machines; a glob's matches above the threshold, or a call
        // VS Code did not confirm, are asked again in our own modal.
        confirmed: request.namedExactly && request.confirmedInChat,
        fromOutsideOurUi: !request.confirmedInChat,
        signal: request.signal,
      });
      if (!run) return undefined;
      const results = await run.fanOut.done;
      return { id: run.id, results, counts: run.fanOut.counts() };
    },
  };
}
