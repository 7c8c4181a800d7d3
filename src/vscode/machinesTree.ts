import * as vscode from 'vscode';
import type { FleetApi, FleetInfo, Machine } from '../core/fleetApi';
import type { FleetContext } from '../core/fleetContext';
import { canUseSessions, lastSeenLabel, machineDescription } from '../core/machines';
import { PagedList } from '../core/pagedList';

export const PAGE_SIZE = 50;

export type TreeNode =
  | { kind: 'fleet'; fleet: FleetInfo; active: boolean }
  | { kind: 'machine'; fleet: FleetInfo; machine: Machine }
  | { kind: 'more'; fleet: FleetInfo; shown: number }
  | { kind: 'message'; text: string; icon?: string }
  /** A load that failed: says why and offers Retry, so a network fault never looks like an empty fleet. */
  | { kind: 'error'; text: string; fleet?: FleetInfo };

/** Fleets at the top, their machines below, fetched a page at a time. */
export class MachinesTree implements vscode.TreeDataProvider<TreeNode> {
  private readonly changes = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private lists = new Map<string, PagedList<Machine>>();
  private filterText = '';

  constructor(
    private readonly fleets: FleetContext,
    private readonly api: FleetApi,
  ) {}

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    this.refresh();
  }

  refresh(): void {
    this.lists = new Map();
    this.changes.fire(undefined);
  }

  async loadMore(node: Extract<TreeNode, { kind: 'more' }>): Promise<void> {
    await this.listFor(node.fleet).loadMore();
    this.changes.fire(undefined);
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
        const item = new vscode.TreeItem(node.text);
        item.iconPath = node.icon ? new vscode.ThemeIcon(node.icon) : undefined;
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.text);
        item.description = 'Retry';
        item.tooltip = `${node.text}\nClick to load again.`;
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
        return choices.map((c) => ({ kind: 'fleet', fleet: c.fleet, active: c.fleet.id === active }));
      }
      if (node.kind !== 'fleet') return [];
      const list = this.listFor(node.fleet);
      if (list.loaded.length === 0 && list.hasMore) await list.loadMore();
      const machines: TreeNode[] = list.loaded.map((machine) => ({ kind: 'machine', fleet: node.fleet, machine }));
      if (machines.length === 0) {
        return [{ kind: 'message', text: this.filterText ? `No machine matches "${this.filterText}"` : 'No machines in this fleet yet', icon: 'info' }];
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

  private listFor(fleet: FleetInfo): PagedList<Machine> {
    let list = this.lists.get(fleet.id);
    if (!list) {
      const search = this.filterText || undefined;
      list = new PagedList(async (page) => {
        const { credential } = await this.fleets.current({ fleetId: fleet.id });
        return this.api.machines(credential, fleet.id, { page, pageSize: PAGE_SIZE, search });
      });
      this.lists.set(fleet.id, list);
    }
    return list;
  }
}

function fleetItem(node: Extract<TreeNode, { kind: 'fleet' }>): vscode.TreeItem {
  const { fleet } = node;
  const item = new vscode.TreeItem(fleet.name, node.active ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `fleet:${fleet.id}`;
  item.description = `${fleet.role}${node.active ? ' · active' : ''}`;
  item.tooltip = `${fleet.name} (${fleet.id})\nYour role: ${fleet.role}${fleet.role === 'Guest' ? ' — observer-only: you can see machines but not run commands' : ''}\nRelay: ${fleet.relay}`;
  item.iconPath = new vscode.ThemeIcon(node.active ? 'cloud' : 'organization');
  item.contextValue = 'fleet';
  return item;
}

function machineItem(fleet: FleetInfo, m: Machine): vscode.TreeItem {
  const item = new vscode.TreeItem(m.name || m.hostname);
  item.id = `machine:${fleet.id}:${m.id}`;
  item.description = machineDescription(m);
  item.iconPath = m.is_online
    ? new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'))
    : new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
  const canRun = canUseSessions(fleet.role);
  const tip = new vscode.MarkdownString();
  tip.appendText(`${m.hostname} — ${m.is_online ? 'online' : 'offline'}\n`);
  tip.appendText(`OS: ${m.os} · agent ${m.agent_version || 'unknown'} · status ${m.status}\n`);
  tip.appendText(`Last seen: ${lastSeenLabel(m.last_seen)}\n`);
  if (!canRun) tip.appendText('You are a Guest in this fleet: observer-only, so commands and shells are not available.');
  item.tooltip = tip;
  item.accessibilityInformation = { label: `${m.name || m.hostname}, ${m.is_online ? 'online' : 'offline'}, ${m.os}` };
  item.contextValue = canRun ? `machine.${m.is_online ? 'online' : 'offline'}` : 'machine.observer';
  return item;
}
