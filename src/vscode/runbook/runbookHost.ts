import type * as vscode from 'vscode';
import type { RunRequest } from '../../core/commands/commandArguments';
import type { FleetApi } from '../../core/fleet/fleetApi';
import type { FleetContext } from '../../core/fleet/fleetContext';

/** What the runbook client (a separate bundle) borrows from the running extension. */
export interface RunbookHost {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** The current mode's fleet context and REST client; undefined while the configuration is broken. */
  services(): { fleets: FleetContext; api: FleetApi } | undefined;
  /** Fires when the fleet, the credential or the mode changed: cached facts are stale. */
  onDidChangeFleet: vscode.Event<void>;
  /** Opens a terminal on one machine (of our fleet with that id) running `command` as typed (the machines tree's run path). */
  runOnMachine(fleetId: string, hostname: string, command: string): Promise<void>;
  /**
   * Runs on several machines through the fan-out. `how` decides whether the person clicked a lens of an open
   * runbook holding this very block (the confirmation then follows cmdop.fanOut.confirmAbove); otherwise it always asks.
   */
  runOnMachines(request: { fleetId: string; hostnames: string[]; command: string }, how: RunRequest): Promise<void>;
}
