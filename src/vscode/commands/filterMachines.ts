import * as vscode from 'vscode';
import type { MachinesTree } from '../machinesTree';

export async function filterMachines(tree: MachinesTree): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('CMDOP: Filter Machines'),
    prompt: vscode.l10n.t('Show only machines whose name contains this text (empty: show all).'),
    value: tree.filter,
  });
  if (text !== undefined) tree.setFilter(text);
}
