import * as vscode from 'vscode';
import { labelLines, labelText, MESSAGE_LIMIT, safeName } from '../core/display/safeText';
import type { FleetApi, FleetInfo, Machine } from '../core/fleet/fleetApi';
import type { FleetContext } from '../core/fleet/fleetContext';
import { canUseSessions, lastSeenLabel, machineDescription } from '../core/fleet/machines';
import { PagedList } from '../core/fleet/pagedList';
import { diffMachines, PresencePoller } from '../core/fleet/presence';

export const PAGE_SIZE = 50;
export const REFRESH_INTERVAL_SETTING = 'machines.refreshInterval';

export type TreeNode =
  | { kind: 'fleet'; fleet: FleetInfo; active: boolean }
  | { kind: 'machine'; fleet: FleetInfo; machine: Machine }
  | { kind: 'more'; fleet: FleetInfo; shown: number }
  | { kind: 'message'; text: string; icon?: string }
  /** A load that failed: says why and offers Retry, so a network fault never looks like an empty fleet. */
  | { kind: 'error'; text: string; fleet?: FleetInfo };

type FleetNode = Extract<TreeNode, { kind: 'fleet' }>;
type MachineNode = Extract<TreeNode, { kind: 'machine' }>;

/** Seconds between presence polls from the setting; 0 turns polling off. */
export function refreshIntervalMs(): number {
  const seconds = vscode.workspace.getConfiguration('cmdop').get<number>(REFRESH_INTERVAL_SETTING, 10);
  return Number.isFinite(seconds) && seconds > 0 ? Math.max(2, seconds) * 1000 : 0;
}

/**
 * Fleets at the top, their machines below, fetched a page at a time. While the view is visible and the
 * window focused, the pages already loaded of expanded fleets are polled for presence, and only rows that
 * changed are redrawn (nodes are kept per machine id so VS Code can match them).
 */
export class MachinesTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private lists = new Map<string, PagedList<Machine>>();
  private fleetNodes = new Map<string, FleetNode>();
  private machineNodes = new Map<string, Map<string, MachineNode>>();
  private readonly expanded = new Set<string>();
  private filterText = '';
  private readonly poller = new PresencePoller(() => this.pollPresence(), refreshIntervalMs());

  constructor(
    private readonly fleets: FleetContext,
    private readonly api: FleetApi,
  ) {}

  /** Follows the view's visibility and expansion, the window's focus and the interval setting. */
  watch(view: vscode.TreeView<TreeNode>): vscode.Disposable {
    this.poller.setVisible(view.visible);
    this.poller.setFocused(vscode.window.state.focused);
    return vscode.Disposable.from(
      view.onDidChangeVisibility((e) => this.poller.setVisible(e.visible)),
      view.onDidExpandElement((e) => e.element.kind === 'fleet' && this.expanded.add(e.element.fleet.id)),
      view.onDidCollapseElement((e) => e.element.kind === 'fleet' && this.expanded.delete(e.element.fleet.id)),
      vscode.window.onDidChangeWindowState((s) => this.poller.setFocused(s.focused)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`cmdop.${REFRESH_INTERVAL_SETTING}`)) this.poller.setInterval(refreshIntervalMs());
      }),
    );
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    this.refresh();
  }

  refresh(): void {
    this.lists = new Map();
    this.machineNodes = new Map();
    this.poller.restartClock();
    this.changes.fire(undefined);
  }

  async loadMore(node: Extract<TreeNode, { kind: 'more' }>): Promise<void> {
    await this.listFor(node.fleet).loadMore();
    this.changes.fire(this.fleetNodes.get(node.fleet.id));
  }

  dispose(): void {
    this.poller.dispose();
    this.changes.dispose();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'fleet':
        return fleetItem(node);
      case 'machine':
        return machineItem(node.fleet, node.machine);
      case 'more': {
        const item = new vscode.TreeItem('Load more machines…');
        item.description = `${node.shown} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'cmdop.loadMoreMachines', title: 'Load more', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(labelText(node.text, MESSAGE_LIMIT));
        item.iconPath = node.icon ? new vscode.ThemeIcon(node.icon) : undefined;
        return item;
      }
      case 'error': {
        // The text carries the server's error message.
        const item = new vscode.TreeItem(labelText(node.text, MESSAGE_LIMIT));
        item.description = 'Retry';
        item.tooltip = labelLines(`${node.text}\n${vscode.l10n.t('Click to load again.')}`);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'error';
        item.command = { command: 'cmdop.refreshMachines', title: 'Retry' };
        return item;
      }
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) {
        const choices = await this.fleets.choices();
        const active = this.fleets.activeFleetId();
        this.fleetNodes = new Map(choices.map((c) => [c.fleet.id, { kind: 'fleet', fleet: c.fleet, active: c.fleet.id === active }]));
        return [...this.fleetNodes.values()];
      }
      if (node.kind !== 'fleet') return [];
      this.expanded.add(node.fleet.id);
      const list = this.listFor(node.fleet);
      if (list.loaded.length === 0 && list.hasMore) await list.loadMore();
      const machines: TreeNode[] = list.loaded.map((machine) => this.machineNode(node.fleet, machine));
      if (machines.length === 0) {
        return [
          {
            kind: 'message',
            text: this.filterText ? `No machine matches "${this.filterText}"` : 'No machines in this fleet yet',
            icon: 'info',
          },
        ];
      }
      if (list.hasMore) machines.push({ kind: 'more', fleet: node.fleet, shown: list.loaded.length });
      return machines;
    } catch (err) {
      const fleet = node?.kind === 'fleet' ? node.fleet : undefined;
      // Drop the failed list so Retry asks the server again instead of showing the broken page.
      if (fleet) this.lists.delete(fleet.id);
      return [{ kind: 'error', text: `${fleet ? 'Could not load machines' : 'Could not load fleets'}: ${(err as Error).message}`, fleet }];
    }
  }

  /** One node object per machine, updated in place, so a presence change redraws just that row. */
  private machineNode(fleet: FleetInfo, machine: Machine): MachineNode {
    let nodes = this.machineNodes.get(fleet.id);
    if (!nodes) this.machineNodes.set(fleet.id, (nodes = new Map()));
    const node = nodes.get(machine.id);
    if (node) {
      node.machine = machine;
      node.fleet = fleet;
      return node;
    }
    const created: MachineNode = { kind: 'machine', fleet, machine };
    nodes.set(machine.id, created);
    return created;
  }

  /** One presence poll: the loaded pages of each expanded fleet, fetched again; only changed rows fire. */
  private async pollPresence(): Promise<void> {
    const changed: TreeNode[] = [];
    await Promise.all(
      [...this.expanded].map(async (fleetId) => {
        const list = this.lists.get(fleetId);
        const fleetNode = this.fleetNodes.get(fleetId);
        if (!list || !fleetNode || list.pagesLoaded === 0) return;
        const before = list.loaded;
        const after = await list.reloadLoaded().catch(() => undefined);
        if (!after || this.lists.get(fleetId) !== list) return; // failed (shown on the next expand) or refreshed meanwhile
        const diff = diffMachines(before, after);
        if (diff.reordered) {
          changed.push(fleetNode);
          return;
        }
        const byId = new Map(after.map((m) => [m.id, m]));
        for (const id of diff.changed) {
          const node = this.machineNodes.get(fleetId)?.get(id);
          if (!node) continue;
          node.machine = byId.get(id)!;
          changed.push(node);
        }
      }),
    );
    if (changed.length) this.changes.fire(changed);
  }

  private listFor(fleet: FleetInfo): PagedList<Machine> {
    let list = this.lists.get(fleet.id);
    if (!list) {
      const search = this.filterText || undefined;
      list = new PagedList(
        async ({ page, cursor }) => {
          const { credential } = await this.fleets.current({ fleetId: fleet.id });
          return this.api.machines(credential, fleet.id, { page, cursor, pageSize: PAGE_SIZE, search });
        },
        (m) => m.id,
      );
      this.lists.set(fleet.id, list);
    }
    return list;
  }
}

function fleetItem(node: FleetNode): vscode.TreeItem {
  const { fleet } = node;
  const item = new vscode.TreeItem(
    labelText(fleet.name),
    node.active ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `fleet:${fleet.id}`;
  item.description = `${fleet.role}${node.active ? ' · active' : ''}`;
  item.tooltip = [
    `${labelText(fleet.name)} (${labelText(fleet.id)})`,
    ...(node.active ? [vscode.l10n.t('Active fleet: commands, the picker and the status bar use it')] : []),
    fleet.role === 'Guest'
      ? vscode.l10n.t('Your role: {0} — observer-only: you can see machines but not run commands', fleet.role)
      : vscode.l10n.t('Your role: {0}', fleet.role),
    vscode.l10n.t('Relay: {0}', labelText(fleet.relay)),
  ].join('\n');
  item.iconPath = node.active
    ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'))
    : new vscode.ThemeIcon('organization');
  item.contextValue = node.active ? 'fleet.active' : 'fleet';
  item.accessibilityInformation = { label: `${safeName(fleet.name)}, ${fleet.role}${node.active ? ', active fleet' : ''}` };
  return item;
}

function machineItem(fleet: FleetInfo, m: Machine): vscode.TreeItem {
  const item = new vscode.TreeItem(labelText(m.name || m.hostname));
  item.id = `machine:${fleet.id}:${m.id}`;
  item.description = labelText(machineDescription(m));
  item.iconPath = m.is_online
    ? new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'))
    : new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
  const canRun = canUseSessions(fleet.role);
  const tip = new vscode.MarkdownString();
  tip.appendText(`${safeName(m.hostname)} — ${m.is_online ? 'online' : 'offline'}\n`);
  tip.appendText(`OS: ${safeName(m.os)} · agent ${safeName(m.agent_version || 'unknown')} · status ${safeName(m.status)}\n`);
  tip.appendText(`Last seen: ${lastSeenLabel(m.last_seen)}\n`);
  if (!canRun) tip.appendText('You are a Guest in this fleet: observer-only, so commands and shells are not available.');
  item.tooltip = tip;
  item.accessibilityInformation = { label: `${safeName(m.name || m.hostname)}, ${m.is_online ? 'online' : 'offline'}, ${safeName(m.os)}` };
  item.contextValue = canRun ? `machine.${m.is_online ? 'online' : 'offline'}` : 'machine.observer';
  return item;
}
