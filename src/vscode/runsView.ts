import * as vscode from 'vscode';
import type { MachineResult } from '../core/fanOut/fanOut';
import { groupOutputs, type OutputGroup } from '../core/fanOut/grouping';
import type { FanOutRunInfo, RunHistory } from '../core/fanOut/runHistory';
import { failuresFirst, isFailure } from '../core/fanOut/runReport';
import { groupRowText, machineRowText, type RowText, runRowText } from '../core/fanOut/runRows';

export type RunNode =
  | { kind: 'run'; run: FanOutRunInfo }
  | { kind: 'group'; run: FanOutRunInfo; group: OutputGroup }
  | { kind: 'machine'; run: FanOutRunInfo; result: MachineResult; outlier: boolean }
  | { kind: 'pending'; run: FanOutRunInfo; running: number; waiting: number };

/** The Runs view: each fan-out, its machines failures first, identical outputs grouped. */
export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly history: RunHistory) {
    // Coalesced: results of a big run arrive by the hundred; the tree is redrawn a few times a second.
    this.subscription = history.onDidChange(
      () => (this.timer ??= setTimeout(() => ((this.timer = undefined), this.changes.fire(undefined)), 200)),
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.changes.dispose();
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return runItem(node.run, node.run === this.history.runs[0]);
      case 'group':
        return groupItem(node.run, node.group);
      case 'machine':
        return machineItem(node.run, node.result, node.outlier);
      case 'pending': {
        const item = new vscode.TreeItem(`${node.running} running, ${node.waiting} waiting`);
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        return item;
      }
    }
  }

  getChildren(node?: RunNode): RunNode[] {
    if (!node) return this.history.runs.map((run) => ({ kind: 'run', run }));
    if (node.kind === 'group')
      return node.group.hostnames.map((h) => this.machineNode(node.run, h, false)).filter((n): n is RunNode => !!n);
    if (node.kind !== 'run') return [];
    const { run } = node;
    const results = run.fanOut.results;
    const { majority } = groupOutputs(results);
    const inMajority = new Set(majority && results.length > 2 ? majority.hostnames : []);
    if (majority && majority.hostnames.length === results.filter((r) => r.outcome !== 'skipped' && r.outcome !== 'cancelled').length) {
      // Everyone printed the same (e.g. `uname -s` on two machines): one group, nothing apart.
      majority.hostnames.forEach((h) => inMajority.add(h));
    }
    const apart = failuresFirst(results.filter((r) => !inMajority.has(r.hostname)));
    const failing = apart.filter(isFailure);
    const rest = apart.filter((r) => !isFailure(r));
    const children: RunNode[] = failing.map((result) => ({ kind: 'machine', run, result, outlier: !!majority }));
    if (majority && inMajority.size > 0) children.push({ kind: 'group', run, group: majority });
    children.push(...rest.map((result): RunNode => ({ kind: 'machine', run, result, outlier: !!majority && result.outcome === 'ok' })));
    const c = run.fanOut.counts();
    if (c.running + c.pending > 0) children.push({ kind: 'pending', run, running: c.running, waiting: c.pending });
    return children;
  }

  getParent(node: RunNode): RunNode | undefined {
    return node.kind === 'run' ? undefined : { kind: 'run', run: node.run };
  }

  private machineNode(run: FanOutRunInfo, hostname: string, outlier: boolean): RunNode | undefined {
    const result = run.fanOut.results.find((r) => r.hostname === hostname);
    return result && { kind: 'machine', run, result, outlier };
  }
}

function runItem(run: FanOutRunInfo, newest: boolean): vscode.TreeItem {
  const c = run.fanOut.counts();
  const text = runRowText(run, c);
  const item = textItem(text, newest ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  // The id changes when the run ends, so VS Code re-reads its expansion state and children.
  item.id = `run:${run.id}:${run.fanOut.isDone ? 'done' : 'running'}`;
  const failed = c.failed + c.error + c.timeout > 0;
  item.iconPath = !run.fanOut.isDone
    ? new vscode.ThemeIcon('loading~spin')
    : failed
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
      : c.cancelled > 0
        ? new vscode.ThemeIcon('circle-slash')
        : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  item.contextValue = run.fanOut.isDone ? `fanOutRun.done${failed ? '.failures' : ''}` : 'fanOutRun.running';
  return item;
}

function groupItem(run: FanOutRunInfo, group: OutputGroup): vscode.TreeItem {
  const item = textItem(groupRowText(run, group), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${run.id}:group:${group.hostnames.length}`;
  item.iconPath = new vscode.ThemeIcon('layers');
  item.contextValue = 'fanOutGroup';
  item.command = { command: 'cmdop.runs.openOutput', title: 'Open Output', arguments: [{ kind: 'group', run, group }] };
  return item;
}

function machineItem(run: FanOutRunInfo, r: MachineResult, outlier: boolean): vscode.TreeItem {
  const item = textItem(machineRowText(r));
  item.id = `run:${run.id}:machine:${r.hostname}`;
  const icons: Record<MachineResult['outcome'], [string, string | undefined]> = {
    ok: ['pass', 'testing.iconPassed'],
    failed: ['error', 'testing.iconFailed'],
    error: ['warning', 'testing.iconFailed'],
    timeout: ['watch', 'testing.iconFailed'],
    cancelled: ['circle-slash', undefined],
    skipped: ['vm-outline', 'disabledForeground'],
  };
  const [icon, color] = icons[r.outcome];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const hasOutput = r.outcome !== 'skipped';
  item.contextValue = hasOutput ? (outlier ? 'fanOutMachine.outlier' : 'fanOutMachine') : 'fanOutMachine.skipped';
  if (hasOutput)
    item.command = { command: 'cmdop.runs.openOutput', title: 'Open Output', arguments: [{ kind: 'machine', run, result: r, outlier }] };
  return item;
}

/** A tree item from row text that core already made safe. */
function textItem(text: RowText, state?: vscode.TreeItemCollapsibleState): vscode.TreeItem {
  const item = new vscode.TreeItem(text.label, state);
  item.description = text.description;
  item.tooltip = text.tooltip;
  item.accessibilityInformation = { label: text.accessibility };
  return item;
}
