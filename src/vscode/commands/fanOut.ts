import * as vscode from 'vscode';
import type { CommandHistory } from '../../core/fanOut/commandHistory';
import { CmdopError } from '../../core/errors';
import type { FleetInfo } from '../../core/fleet/fleetApi';
import type { MachineResult } from '../../core/fanOut/fanOut';
import { hostMatcher } from '../../core/fanOut/hostGlob';
import { listAllMachines } from '../../core/fanOut/targets';
import { type FanOutDeps, fleetById, launchFanOut, refuseGuests } from '../fanOutLauncher';
import type { TreeNode } from '../machinesTree';
import { askCommand } from './machines';

export interface FanOutCommandDeps extends FanOutDeps {
  commands: CommandHistory;
}

type MachineNode = Extract<TreeNode, { kind: 'machine' }>;
type FleetNode = Extract<TreeNode, { kind: 'fleet' }>;

/** *Run Command…* on several machines selected in the tree (one fleet at a time). */
export async function runOnSelection(deps: FanOutCommandDeps, nodes: TreeNode[]): Promise<void> {
  const machines = nodes.filter((n): n is MachineNode => n.kind === 'machine');
  const fleetIds = new Set(machines.map((m) => m.fleet.id));
  if (fleetIds.size > 1)
    throw new CmdopError(
      'The selected machines belong to different fleets: select machines of one fleet to run a command on them together.',
    );
  if (machines.length === 0) return;
  const fleet = machines[0].fleet;
  refuseGuests(fleet);
  const command = await askCommand(deps.commands, `Run Command on ${machines.length} machines in ${fleet.name}`);
  if (!command) return;
  await deps.commands.add(command);
  await launchFanOut(
    deps,
    fleet,
    machines.map((m) => m.machine.hostname),
    command,
  );
}

/** *Run on Fleet…*: every online machine of a fleet, or those whose hostname matches a pattern. */
export async function runOnFleet(deps: FanOutCommandDeps, node: FleetNode | undefined): Promise<void> {
  const fleet = node?.fleet ?? (await pickFleet(deps));
  if (!fleet) return;
  refuseGuests(fleet);
  const pattern = await vscode.window.showInputBox({
    title: `Run on Fleet: ${fleet.name}`,
    prompt: 'Hostname pattern (glob, e.g. web-* or web-*, db-1). Leave empty for every online machine.',
    placeHolder: 'web-*',
    ignoreFocusOut: true,
  });
  if (pattern === undefined) return;
  const { credential } = await deps.fleets.current({ fleetId: fleet.id });
  const matches = hostMatcher(pattern);
  const all = await listAllMachines(deps.api, credential, fleet.id);
  const chosen = all.filter((m) => matches(m.hostname));
  // Everything matching a pattern is listed (offline as skipped); "all" means the online ones.
  const hostnames = (pattern.trim() ? chosen : chosen.filter((m) => m.is_online)).map((m) => m.hostname);
  if (hostnames.length === 0) {
    throw new CmdopError(
      pattern.trim() ? `No machine in ${fleet.name} matches "${pattern.trim()}".` : `No machine in ${fleet.name} is online.`,
    );
  }
  const online = chosen.filter((m) => m.is_online).length;
  const command = await askCommand(
    deps.commands,
    `Run on ${online} online machine${online === 1 ? '' : 's'} in ${fleet.name}${pattern.trim() ? ` matching ${pattern.trim()}` : ''}`,
  );
  if (!command) return;
  await deps.commands.add(command);
  await launchFanOut(deps, fleet, hostnames, command);
}

export interface RunOnMachinesRequest {
  fleetId: string;
  hostnames: string[];
  command: string;
}

/**
 * `cmdop.runOnMachines` (for runbooks and other extensions): same threshold, guest refusal and Runs
 * view as the UI. Resolves with the results once every machine is done; undefined when declined.
 */
export async function runOnMachines(
  deps: FanOutCommandDeps,
  request: RunOnMachinesRequest | undefined,
  // Only the runbook lens of an open runbook passes true; the contributed command never does.
  fromOwnUi = false,
): Promise<MachineResult[] | undefined> {
  if (!request || typeof request.fleetId !== 'string' || !Array.isArray(request.hostnames) || typeof request.command !== 'string') {
    throw new CmdopError('cmdop.runOnMachines needs one argument { fleetId: string; hostnames: string[]; command: string }.');
  }
  const fleet = await fleetById(deps.fleets, request.fleetId);
  const run = await launchFanOut(deps, fleet, request.hostnames.map(String), request.command, { fromOutsideOurUi: !fromOwnUi });
  return run && run.fanOut.done;
}

async function pickFleet(deps: FanOutCommandDeps): Promise<FleetInfo | undefined> {
  const choices = await deps.fleets.choices();
  if (choices.length === 0) throw new CmdopError('No fleets: sign in or add a fleet API key first.');
  const active = deps.fleets.activeFleetId();
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({
      label: c.fleet.name,
      description: `${c.fleet.role}${c.fleet.id === active ? ' · active' : ''}`,
      fleet: c.fleet,
    })),
    { title: 'Run on Fleet: which fleet?', placeHolder: 'Pick a fleet' },
  );
  return picked?.fleet;
}
