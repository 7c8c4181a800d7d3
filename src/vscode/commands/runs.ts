import { heldRun } from '../../core/commands/heldRun';
import * as vscode from 'vscode';
import { CmdopError } from '../../core/errors';
import { groupOutputs } from '../../core/fanOut/grouping';
import type { FanOutRunInfo } from '../../core/fanOut/runHistory';
import { isFailure, runAsJson, runAsMarkdown } from '../../core/fanOut/runReport';
import { type FanOutDeps, fleetById, launchFanOut } from '../fanOutLauncher';
import { runOutputUri } from '../runOutputDocuments';
import type { RunNode } from '../runsView';

type RunRow = Extract<RunNode, { kind: 'run' }>;

function runOf(deps: FanOutDeps, node: RunNode | undefined): FanOutRunInfo {
  let run: FanOutRunInfo | undefined;
  try {
    run = heldRun(deps.history.runs, node);
  } catch (error) {
    throw new CmdopError((error as Error).message);
  }
  if (!run) throw new CmdopError('No runs yet: select machines and Run Command…, or Run on Fleet….');
  return run;
}

export async function openOutput(node: RunNode): Promise<void> {
  const { run } = node;
  const name = node.kind === 'machine' ? node.result.hostname : 'majority';
  const doc = await vscode.workspace.openTextDocument(runOutputUri(run.id, name, run.command));
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** The machine's output beside what the majority printed. */
export async function compareWithMajority(node: RunNode | undefined): Promise<void> {
  // The view drops its rows for a moment each time it redraws (results arriving); a click then brings no row.
  if (!node) throw new CmdopError('The Runs view was redrawing as you clicked: click Compare with Majority Output again.');
  if (node.kind !== 'machine') return;
  const { run, result } = node;
  if (!groupOutputs(run.fanOut.results).majority)
    throw new CmdopError('No majority output in this run to compare with: no two machines printed the same.');
  await vscode.commands.executeCommand(
    'vscode.diff',
    runOutputUri(run.id, 'majority', run.command),
    runOutputUri(run.id, result.hostname, run.command),
    `${run.command}: majority ↔ ${result.hostname}`,
  );
}

export async function rerun(deps: FanOutDeps, node: RunRow | undefined, which: 'all' | 'failed'): Promise<void> {
  const run = runOf(deps, node);
  const hostnames = run.fanOut.results.filter((r) => which === 'all' || isFailure(r) || r.outcome === 'cancelled').map((r) => r.hostname);
  if (hostnames.length === 0) {
    void vscode.window.showInformationMessage(`Nothing to rerun: no machine failed in "${run.command}".`);
    return;
  }
  await launchFanOut(deps, await fleetById(deps.fleets, run.fleetId), hostnames, run.command);
}

export function cancelRun(deps: FanOutDeps, node: RunRow | undefined): void {
  runOf(deps, node).fanOut.cancel();
}

export async function copyRun(deps: FanOutDeps, node: RunRow | undefined, format: 'json' | 'markdown'): Promise<void> {
  const run = runOf(deps, node);
  const summary = { command: run.command, fleet: run.fleetName, startedAt: run.startedAt.toISOString(), results: run.fanOut.results };
  await vscode.env.clipboard.writeText(format === 'json' ? runAsJson(summary) : runAsMarkdown(summary));
  void vscode.window.setStatusBarMessage(
    `Copied ${run.fanOut.results.length} results as ${format === 'json' ? 'JSON' : 'a Markdown table'}`,
    3000,
  );
}
