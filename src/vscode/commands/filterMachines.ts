import * as vscode from 'vscode';
import type { MachinesTree } from '../machinesTree';

export async function filterMachines(tree: MachinesTree): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: 'CMDOP: Filter Machines',
    prompt: 'Show only machines whose name contains this text (empty: show all).',
    value: tree.filter,
  });
  if (text !== undefined) tree.setFilter(text);
}
