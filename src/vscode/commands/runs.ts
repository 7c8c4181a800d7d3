import { type OwnRows, runArgument, runFromOwnUi } from '../../core/commands/commandArguments';
import { heldRun } from '../../core/commands/heldRun';
import * as vscode from 'vscode';
import { showInformation } from '../notify';
import { CmdopError } from '../../core/errors';
import { groupOutputs } from '../../core/fanOut/grouping';
import type { FanOutRunInfo } from '../../core/fanOut/runHistory';
import { isFailure, runAsJson, runAsMarkdown } from '../../core/fanOut/runReport';
import { type FanOutDeps, fleetById, launchFanOut } from '../fanOutLauncher';
import { runOutputUri } from '../runOutputDocuments';

/** A Runs view command's deps: the runs held, and the rows our views handed out (a rerun of any other row confirms). */
export interface RunsCommandDeps extends FanOutDeps {
  own: OwnRows;
}

function runOf(deps: FanOutDeps, argument: unknown): FanOutRunInfo {
  let run: FanOutRunInfo | undefined;
  try {
    run = heldRun(deps.history.runs, argument);
  } catch (error) {
    throw new CmdopError((error as Error).message);
  }
  if (!run) throw new CmdopError('No runs yet: select machines and Run Command…, or Run on Fleet….');
  return run;
}

/** The held run an argument names and, if it names one, a machine of that run (by hostname, among its results). */
function runRowOf(deps: FanOutDeps, argument: unknown): { run: FanOutRunInfo; hostname?: string } {
  const run = runOf(deps, argument);
  const hostname = runArgument(argument)?.hostname;
  if (hostname !== undefined && !run.fanOut.results.some((r) => r.hostname === hostname))
    throw new CmdopError(`"${hostname}" has no result in the run "${run.command}": pick a machine of that run in the Runs view.`);
  return { run, hostname };
}

export async function openOutput(deps: FanOutDeps, argument: unknown): Promise<void> {
  const { run, hostname } = runRowOf(deps, argument);
  const doc = await vscode.workspace.openTextDocument(runOutputUri(run.id, hostname ?? 'majority', run.command));
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** The machine's output beside what the majority printed. */
export async function compareWithMajority(deps: FanOutDeps, argument: unknown): Promise<void> {
  // The view drops its rows for a moment each time it redraws (results arriving); a click then brings no row.
  if (!argument) throw new CmdopError('The Runs view was redrawing as you clicked: click Compare with Majority Output again.');
  const { run, hostname } = runRowOf(deps, argument);
  const result = run.fanOut.results.find((r) => r.hostname === hostname);
  if (!result) return;
  if (!groupOutputs(run.fanOut.results).majority)
    throw new CmdopError('No majority output in this run to compare with: no two machines printed the same.');
  await vscode.commands.executeCommand(
    'vscode.diff',
    runOutputUri(run.id, 'majority', run.command),
    runOutputUri(run.id, result.hostname, run.command),
    `${run.command}: majority ↔ ${result.hostname}`,
  );
}

/** Reruns a held run; only a click on a row of our Runs view skips the modal (up to cmdop.fanOut.confirmAbove). */
export async function rerun(deps: RunsCommandDeps, row: unknown, which: 'all' | 'failed'): Promise<void> {
  const run = runOf(deps, row);
  const hostnames = run.fanOut.results.filter((r) => which === 'all' || isFailure(r) || r.outcome === 'cancelled').map((r) => r.hostname);
  if (hostnames.length === 0) {
    void showInformation(vscode.l10n.t('Nothing to rerun: no machine failed in "{0}".', run.command));
    return;
  }
  await launchFanOut(deps, await fleetById(deps.fleets, run.fleetId), hostnames, run.command, {
    fromOutsideOurUi: !runFromOwnUi({ via: 'rows', rows: [row], own: deps.own }),
  });
}

export function cancelRun(deps: FanOutDeps, row: unknown): void {
  runOf(deps, row).fanOut.cancel();
}

export async function copyRun(deps: FanOutDeps, row: unknown, format: 'json' | 'markdown'): Promise<void> {
  const run = runOf(deps, row);
  const summary = { command: run.command, fleet: run.fleetName, startedAt: run.startedAt.toISOString(), results: run.fanOut.results };
  await vscode.env.clipboard.writeText(format === 'json' ? runAsJson(summary) : runAsMarkdown(summary));
  void vscode.window.setStatusBarMessage(
    `Copied ${run.fanOut.results.length} results as ${format === 'json' ? 'JSON' : 'a Markdown table'}`,
    3000,
  );
}
