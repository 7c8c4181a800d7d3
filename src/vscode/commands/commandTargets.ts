import { machineArgument, type OwnRows } from '../../core/commands/commandArguments';
import { CmdopError } from '../../core/errors';
import type { FleetApi, FleetInfo, Machine } from '../../core/fleet/fleetApi';
import type { FleetContext } from '../../core/fleet/fleetContext';
import type { TreeNode } from '../machinesTree';
import { fleetById } from '../relayAccess';

export interface TargetDeps {
  fleets: FleetContext;
  api: FleetApi;
  own: OwnRows;
}

export type MachineTarget = { fleet: FleetInfo; machine: Pick<Machine, 'hostname' | 'name'> };

/** The fleet by id among our own fleets; no id means the active fleet. */
export async function ownFleetOrActive(fleets: FleetContext, fleetId: string | undefined): Promise<FleetInfo> {
  return fleetId ? fleetById(fleets, fleetId) : (await fleets.current()).fleet;
}

/**
 * The machine a command argument names, as our own records. A row our Machines tree handed out is ours already;
 * anything else gives only a fleet id and a hostname: the fleet is looked up among our fleets and the machine
 * in that fleet's list on the server, so a name, relay or role in the argument never reaches a terminal or a credential.
 */
export async function machineTarget(deps: TargetDeps, argument: unknown): Promise<MachineTarget | undefined> {
  if (deps.own.has(argument) && (argument as TreeNode).kind === 'machine') {
    const row = argument as Extract<TreeNode, { kind: 'machine' }>;
    return { fleet: row.fleet, machine: row.machine };
  }
  const ref = machineArgument(argument);
  if (!ref) return undefined;
  const fleet = await ownFleetOrActive(deps.fleets, ref.fleetId);
  return { fleet, machine: await listedMachine(deps, fleet, ref.hostname) };
}

async function listedMachine(deps: TargetDeps, fleet: FleetInfo, hostname: string): Promise<Machine> {
  const context = await deps.fleets.current({ fleetId: fleet.id });
  const page =
    context.fleet.id === fleet.id
      ? await deps.api.machines(context.credential, fleet.id, { page: 1, pageSize: 200, search: hostname })
      : undefined;
  const machine = page?.results.find((m) => m.hostname === hostname);
  if (!machine) throw new CmdopError(`No machine "${hostname}" in ${fleet.name}: pick the machine in the Machines view.`);
  return machine;
}
