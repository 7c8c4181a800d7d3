import * as vscode from 'vscode';
import type { CommandHistory } from '../../core/fanOut/commandHistory';
import { fleetArgument, machineArgument, type OwnRows, type RunRequest, runFromOwnUi } from '../../core/commands/commandArguments';
import { fleetPickText } from '../../core/display/pickItems';
import { CmdopError } from '../../core/errors';
import type { FleetInfo } from '../../core/fleet/fleetApi';
import type { MachineResult } from '../../core/fanOut/fanOut';
import { hostMatcher } from '../../core/fanOut/hostGlob';
import { listAllMachines } from '../../core/fanOut/targets';
import { type FanOutDeps, fleetById, launchFanOut, refuseGuests } from '../fanOutLauncher';
import { askCommand } from './machines';
import { ownFleetOrActive } from './commandTargets';

export interface FanOutCommandDeps extends FanOutDeps {
  commands: CommandHistory;
  /** The rows our views handed out: a run on other rows confirms however few machines it names. */
  own: OwnRows;
}

/** *Run Command…* on several machines selected in the tree (one fleet at a time). Only ids are read from the rows. */
export async function runOnSelection(deps: FanOutCommandDeps, rows: readonly unknown[]): Promise<void> {
  const machines = rows.map(machineArgument).filter((m) => m !== undefined);
  const fleetIds = new Set(machines.map((m) => m.fleetId));
  if (fleetIds.size > 1)
    throw new CmdopError(
      'The selected machines belong to different fleets: select machines of one fleet to run a command on them together.',
    );
  if (machines.length === 0) return;
  const fleet = await ownFleetOrActive(deps.fleets, machines[0].fleetId);
  refuseGuests(fleet);
  const command = await askCommand(deps.commands, `Run Command on ${machines.length} machines in ${fleet.name}`);
  if (!command) return;
  await deps.commands.add(command);
  await launchFanOut(
    deps,
    fleet,
    machines.map((m) => m.hostname),
    command,
    { fromOutsideOurUi: !runFromOwnUi({ via: 'rows', rows, own: deps.own }) },
  );
}

/** *Run on Fleet…*: every online machine of a fleet, or those whose hostname matches a pattern. */
export async function runOnFleet(deps: FanOutCommandDeps, row: unknown): Promise<void> {
  const fleetId = fleetArgument(row);
  const fleet = fleetId ? await fleetById(deps.fleets, fleetId) : await pickFleet(deps);
  if (!fleet) return;
  refuseGuests(fleet);
  const pattern = await vscode.window.showInputBox({
    title: vscode.l10n.t('Run on Fleet: {0}', fleet.name),
    prompt: vscode.l10n.t('Hostname pattern (glob, e.g. web-* or web-*, db-1). Leave empty for every online machine.'),
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
  await launchFanOut(deps, fleet, hostnames, command, {
    fromOutsideOurUi: !runFromOwnUi({ via: 'rows', rows: row === undefined ? [] : [row], own: deps.own }),
  });
}

export interface RunOnMachinesRequest {
  fleetId: string;
  hostnames: string[];
  command: string;
}

/**
 * `cmdop.runOnMachines` (for runbooks and other extensions): guest refusal and Runs view as the UI, and always
 * the modal (a request from outside our UI), unless `how` says the runbook lens of an open runbook asked.
 * Resolves with the results once every machine is done; undefined when declined.
 */
export async function runOnMachines(
  deps: FanOutCommandDeps,
  request: unknown,
  how: RunRequest = { via: 'command' },
): Promise<MachineResult[] | undefined> {
  const { fleetId, hostnames, command } = (request ?? {}) as Partial<RunOnMachinesRequest>;
  if (typeof fleetId !== 'string' || !Array.isArray(hostnames) || typeof command !== 'string') {
    throw new CmdopError('cmdop.runOnMachines needs one argument { fleetId: string; hostnames: string[]; command: string }.');
  }
  const fleet = await fleetById(deps.fleets, fleetId);
  const run = await launchFanOut(deps, fleet, hostnames.map(String), command, { fromOutsideOurUi: !runFromOwnUi(how) });
  return run && run.fanOut.done;
}

async function pickFleet(deps: FanOutCommandDeps): Promise<FleetInfo | undefined> {
  const choices = await deps.fleets.choices();
  if (choices.length === 0) throw new CmdopError('No fleets: sign in or add a fleet API key first.');
  const active = deps.fleets.activeFleetId();
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({ ...fleetPickText(c.fleet, c.fleet.id === active), fleet: c.fleet })),
    { title: vscode.l10n.t('Run on Fleet: which fleet?'), placeHolder: vscode.l10n.t('Pick a fleet') },
  );
  return picked?.fleet;
}
