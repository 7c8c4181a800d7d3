import * as vscode from 'vscode';
import { acceptedCommand, type CommandHistory } from '../../core/fanOut/commandHistory';
import { CmdopError } from '../../core/errors';
import type { FleetApi, Machine, MachinePage } from '../../core/fleet/fleetApi';
import type { FleetContext } from '../../core/fleet/fleetContext';
import { machinePickText } from '../../core/display/pickItems';
import { runPicker } from '../../core/display/picker';
import { labelText } from '../../core/display/safeText';
import { pickerOrder } from '../../core/fleet/machines';
import type { RelayPool } from '../../core/relay/relayPool';
import type { StateStore } from '../../core/windows/storage';
import type { OwnRows } from '../../core/commands/commandArguments';
import { machineTarget, type MachineTarget } from './commandTargets';
import { relayFor } from '../relayAccess';
import { fleetColor, terminalName } from '../../core/relay/terminalIdentity';
import { RemoteTerminal } from '../remoteTerminal';

export interface MachineCommandDeps {
  fleets: FleetContext;
  api: FleetApi;
  pool: RelayPool;
  history: CommandHistory;
  state: StateStore;
  log: vscode.LogOutputChannel;
  /** The rows our views handed out: only those are taken as they are. */
  own: OwnRows;
}

export type { MachineTarget };
const RECENT_KEY = 'cmdop.recentMachines';

/** The machine an argument names (a row, `{ fleetId, hostname }`, a hostname), as our own record; else picked. */
async function targetOf(deps: MachineCommandDeps, argument: unknown): Promise<MachineTarget | undefined> {
  return (await machineTarget(deps, argument)) ?? (await pickMachine(deps));
}

export async function runCommand(deps: MachineCommandDeps, argument: unknown): Promise<void> {
  const target = await targetOf(deps, argument);
  if (!target) return;
  const command = await askCommand(deps.history, `Run Command on ${target.machine.name || target.machine.hostname}`);
  if (!command) return;
  await deps.history.add(command);
  await openTerminal(deps, target, command);
}

export async function openShell(deps: MachineCommandDeps, argument: unknown): Promise<void> {
  const target = await targetOf(deps, argument);
  if (target) await openTerminal(deps, target, undefined);
}

/** Copies the hostname of a machine of ours: a forged argument never puts text of its choosing on the clipboard. */
export async function copyHostname(deps: MachineCommandDeps, argument: unknown): Promise<void> {
  const target = await machineTarget(deps, argument);
  if (!target) throw new CmdopError('Copy Hostname needs a machine: use it on a machine in the Machines view.');
  await vscode.env.clipboard.writeText(target.machine.hostname);
  void vscode.window.setStatusBarMessage(`Copied ${target.machine.hostname}`, 2000);
}

/** Opens a terminal on one machine: an interactive shell, or `command` (sent as typed) with its exit code. */
export async function openTerminal(deps: MachineCommandDeps, target: MachineTarget, command: string | undefined): Promise<void> {
  const terminal = vscode.window.createTerminal(await remoteTerminalOptions(deps, target, command));
  terminal.show();
}

/**
 * The options of a terminal on a machine (also what the CMDOP Shell profile returns): named
 * `CMDOP: <host> (<fleet>)`, its icon in the fleet's colour.
 */
export async function remoteTerminalOptions(
  deps: MachineCommandDeps,
  target: MachineTarget,
  command: string | undefined,
): Promise<vscode.ExtensionTerminalOptions> {
  const client = await relayFor(deps.fleets, deps.pool, target.fleet, true);
  const { hostname } = target.machine;
  await remember(deps.state, hostname);
  const color = new vscode.ThemeColor(fleetColor(target.fleet.id));
  return {
    name: terminalName(target.machine, target.fleet.name),
    pty: new RemoteTerminal(client, hostname, command, deps.log, deps.pool),
    iconPath: new vscode.ThemeIcon(command ? 'run' : 'terminal', color),
    color,
  };
}

type CommandItem = vscode.QuickPickItem & { command: string };

/** Quick pick labels render `$(name)` as an icon; a zero-width space keeps commands like `echo $(date)` literal. */
const displayCommand = (command: string) => command.replace(/\$\(/g, '$\u200b(');

/** Asks for a command: typed, or one of the recent ones. */
export async function askCommand(history: CommandHistory, title: string): Promise<string | undefined> {
  const recent = await history.list();
  const recentItems = (except = ''): CommandItem[] =>
    recent.filter((c) => c !== except).map((command) => ({ label: displayCommand(command), description: 'recent', command }));
  const pick = vscode.window.createQuickPick<CommandItem>();
  pick.title = title;
  pick.placeholder = vscode.l10n.t("Type a command to run in the machine's shell, or pick a recent one");
  pick.items = recentItems();
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed
      ? [{ label: displayCommand(typed), description: 'run', command: typed, alwaysShow: true }, ...recentItems(typed)]
      : recentItems();
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      resolve(acceptedCommand(pick.value, chosen && { command: chosen.command, recent: chosen.description === 'recent' }));
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

type MachinePick = vscode.QuickPickItem & { machine: Machine };

/** The machine picker of the palette commands (and the CMDOP Shell profile): the active fleet's machines. */
export async function pickMachine(deps: MachineCommandDeps, purpose = 'Run on a machine'): Promise<MachineTarget | undefined> {
  const { fleet, credential } = await deps.fleets.current();
  const recent = deps.state.get<string[]>(RECENT_KEY) ?? [];
  const toItems = (machines: Machine[]): MachinePick[] =>
    pickerOrder(machines, recent).map((m) => ({ ...machinePickText(m, recent.includes(m.hostname)), machine: m }));
  const pick = vscode.window.createQuickPick<MachinePick>();
  pick.title = vscode.l10n.t('{0} in {1}', purpose, labelText(fleet.name));
  pick.placeholder = vscode.l10n.t('Filter machines by name');
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let first: MachinePage | undefined;
  const chosen = await runPicker(pick, {
    // Large fleets: the first page is local, the rest is searched on the server as the user types.
    load: async (text) => {
      if (!first) first = await deps.api.machines(credential, fleet.id, { page: 1, pageSize: 200 });
      if (!text || !first.has_next) return toItems(first.results);
      return toItems((await deps.api.machines(credential, fleet.id, { page: 1, pageSize: 200, search: text })).results);
    },
    same: (a, b) => a.machine.hostname === b.machine.hostname,
  }).then((items) => items?.[0]);
  return chosen && { fleet, machine: chosen.machine };
}

async function remember(state: StateStore, hostname: string): Promise<void> {
  const recent = (state.get<string[]>(RECENT_KEY) ?? []).filter((h) => h !== hostname);
  await state.update(RECENT_KEY, [hostname, ...recent].slice(0, 10));
}
