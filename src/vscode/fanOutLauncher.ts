import { mustConfirmRun } from '../core/commands/runConfirmation';
import * as vscode from 'vscode';
import { showWarning } from './notify';
import { notificationName } from '../core/display/safeText';
import { CmdopError } from '../core/errors';
import type { FleetApi, FleetInfo, Machine } from '../core/fleet/fleetApi';
import type { FleetContext } from '../core/fleet/fleetContext';
import { FanOut, type MachineResult } from '../core/fanOut/fanOut';
import { AdaptiveConcurrency, DEFAULT_FAN_OUT_CEILING } from '../core/fanOut/concurrency';
import { RelaySessionRunner } from '../core/fanOut/relayRunner';
import type { FanOutRunInfo, RunHistory, RunOrigin } from '../core/fanOut/runHistory';
import { countsLabel } from '../core/fanOut/runReport';
import { chooseTargets, listAllMachines } from '../core/fanOut/targets';
import { canUseSessions } from '../core/fleet/machines';
import type { RelayPool } from '../core/relay/relayPool';
import { fleetById, ObserverOnlyError, relayFor } from './relayAccess';

export { fleetById };

export interface FanOutDeps {
  fleets: FleetContext;
  api: FleetApi;
  pool: RelayPool;
  history: RunHistory;
  log: vscode.LogOutputChannel;
}

export interface FanOutSettings {
  concurrency: number;
  timeoutMs: number;
  confirmAbove: number;
}

export function fanOutSettings(): FanOutSettings {
  const config = vscode.workspace.getConfiguration('cmdop.fanOut');
  const positive = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
  return {
    concurrency: Math.max(1, Math.floor(positive(config.get('concurrency'), DEFAULT_FAN_OUT_CEILING))),
    timeoutMs: positive(config.get('timeoutSeconds'), 300) * 1000,
    confirmAbove: positive(config.get('confirmAbove'), 10),
  };
}

/** How many run at once when the run starts (the adaptive concurrency's first window). */
function concurrencyNote(ceiling: number): string {
  return vscode.l10n.t('At most {0} at a time', new AdaptiveConcurrency({ ceiling }).limit);
}

/** ...and how far it may widen while the relay keeps up. */
function widening(ceiling: number): string {
  return new AdaptiveConcurrency({ ceiling }).limit < ceiling
    ? ' ' + vscode.l10n.t('Up to {0} at once later in the run, while the relay keeps up.', ceiling)
    : '';
}

/** Guests are refused before anything is sent. */
export function refuseGuests(fleet: FleetInfo): void {
  if (!canUseSessions(fleet.role)) throw new ObserverOnlyError(fleet.name);
}

export interface LaunchOptions {
  /** Who asked for the run, shown in the Runs view (default: the person, through our UI). */
  origin?: RunOrigin;
  /** Per machine, instead of the cmdop.fanOut.timeoutSeconds setting. */
  timeoutMs?: number;
  /** The fleet's machines, listed just now by the caller (saves listing them again). */
  machines?: Machine[];
  /** The person already confirmed exactly these machines (no modal above the threshold). */
  confirmed?: boolean;
  /** The request came from another extension or a link, not a click in our UI: the modal shows however few machines. */
  fromOutsideOurUi?: boolean;
  /** Aborting cancels the run: open sessions are closed, machines not started are marked cancelled. */
  signal?: AbortSignal;
}

/**
 * Runs `command` on the named machines of one fleet: fresh online status from the server, offline and
 * unknown machines listed as skipped, a modal above the threshold, progress with Cancel, the run kept
 * in the Runs view. Resolves with the results, or undefined when the user declined.
 */
export async function launchFanOut(
  deps: FanOutDeps,
  fleet: FleetInfo,
  hostnames: string[],
  command: string,
  options: LaunchOptions = {},
): Promise<FanOutRunInfo | undefined> {
  refuseRequest(fleet, hostnames, command);
  const settings = fanOutSettings();
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  const machines =
    options.machines ?? (await listAllMachines(deps.api, (await deps.fleets.current({ fleetId: fleet.id })).credential, fleet.id));
  const targets = chooseTargets(machines, hostnames);
  if (targets.run.length === 0) {
    throw new CmdopError(
      `None of the ${hostnames.length} chosen machines in ${fleet.name} is online (${targets.skipped
        .map((s) => `${s.hostname}: ${s.reason}`)
        .slice(0, 5)
        .join(', ')}). Start their agents and try again.`,
    );
  }
  if (
    mustConfirmRun({
      machineCount: targets.run.length,
      confirmAbove: settings.confirmAbove,
      fromOwnUi: !options.fromOutsideOurUi,
      alreadyConfirmed: options.confirmed === true,
    })
  ) {
    if (!(await confirmRun(fleet, command, targets, settings, timeoutMs))) return undefined;
  }
  const client = await relayFor(deps.fleets, deps.pool, fleet, true);
  const fanOut = new FanOut({
    command,
    targets: targets.run,
    skipped: targets.skipped,
    runner: new RelaySessionRunner(client),
    concurrency: settings.concurrency,
    timeoutMs,
  });
  if (options.signal) {
    if (options.signal.aborted) fanOut.cancel();
    else options.signal.addEventListener('abort', () => fanOut.cancel(), { once: true });
  }
  const run = deps.history.add({
    command,
    fleetId: fleet.id,
    fleetName: fleet.name,
    startedAt: new Date(),
    fanOut,
    origin: options.origin,
  });
  deps.log.info(
    `Fan-out #${run.id} on ${fleet.name}${options.origin === 'chat' ? ' (from chat)' : ''}: ${targets.run.length} machines, ${targets.skipped.length} skipped, concurrency up to ${settings.concurrency}`,
  );
  void vscode.commands.executeCommand('cmdop.runs.focus');
  showProgress(run);
  void fanOut.done.then(() => deps.log.info(`Fan-out #${run.id} done: ${countsLabel(fanOut.counts())}`));
  return run;
}

/** A Guest's run, an empty command or no machines never get as far as the server. */
function refuseRequest(fleet: FleetInfo, hostnames: string[], command: string): void {
  refuseGuests(fleet);
  if (!command.trim()) throw new CmdopError('The command is empty: type the command to run on the machines.');
  if (hostnames.length === 0)
    throw new CmdopError(`No machines chosen in ${fleet.name}: select machines in the tree or give a hostname pattern.`);
}

/** The modal above the confirmation threshold: the command, how many machines and which, how it runs. */
async function confirmRun(
  fleet: FleetInfo,
  command: string,
  targets: ReturnType<typeof chooseTargets>,
  settings: FanOutSettings,
  timeoutMs: number | undefined,
): Promise<boolean> {
  const shown = targets.run.slice(0, 10).map(notificationName).join(', ');
  const machineNote =
    '\n' +
    (targets.run.length > 10
      ? vscode.l10n.t('Machines: {0} and {1} more.', shown, targets.run.length - 10)
      : vscode.l10n.t('Machines: {0}.', shown));
  const skippedNote = targets.skipped.length
    ? '\n' + vscode.l10n.t('{0} more will be skipped (offline or unknown).', targets.skipped.length)
    : '';
  const limit = timeoutMs ? vscode.l10n.t('{0} s', timeoutMs / 1000) : vscode.l10n.t('no limit');
  const run = vscode.l10n.t('Run');
  const answer = await showWarning(
    targets.run.length === 1
      ? vscode.l10n.t('Run `{0}` on 1 machine in {1}?', command, notificationName(fleet.name))
      : vscode.l10n.t('Run `{0}` on {1} machines in {2}?', command, targets.run.length, notificationName(fleet.name)),
    {
      modal: true,
      detail:
        vscode.l10n.t('{0}; each stops after {1}.', concurrencyNote(settings.concurrency), limit) +
        widening(settings.concurrency) +
        machineNote +
        skippedNote,
    },
    run,
  );
  return answer === run;
}

function showProgress(run: FanOutRunInfo): void {
  const { fanOut } = run;
  const total = fanOut.counts().total;
  void vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CMDOP: `{0}` on {1}', run.command, run.fleetName),
      cancellable: true,
    },
    (progress, token) => {
      token.onCancellationRequested(() => fanOut.cancel());
      let reported = 0;
      let timer: NodeJS.Timeout | undefined;
      // Coalesced: a thousand results must not mean a thousand notification updates.
      const report = () => {
        timer = undefined;
        const done = fanOut.results.length;
        progress.report({
          message: `${done}/${total} · ${countsLabel(fanOut.counts())}`,
          increment: ((done - reported) / Math.max(1, total)) * 100,
        });
        reported = done;
      };
      report();
      const subscription = fanOut.onResult(() => (timer ??= setTimeout(report, 150)));
      return fanOut.done.then(() => {
        subscription.dispose();
        clearTimeout(timer);
      });
    },
  );
}

export type { MachineResult };
