import * as vscode from 'vscode';
import type { OwnRows } from '../core/commands/commandArguments';

/**
 * A tree view whose rows are remembered as ours: every element the provider hands VS Code is marked in `own`,
 * so a command invoked on that very row (VS Code passes the same object back) counts as the person's click,
 * and an object someone else built to look like a row does not.
 */
export function createOwnTreeView<Row>(id: string, options: vscode.TreeViewOptions<Row>, own: OwnRows): vscode.TreeView<Row> {
  const provider = options.treeDataProvider;
  const marked: vscode.TreeDataProvider<Row> = {
    onDidChangeTreeData: provider.onDidChangeTreeData,
    getTreeItem: (row) => provider.getTreeItem(row),
    getChildren: async (row) => own.handOut((await provider.getChildren(row)) ?? []),
    getParent: provider.getParent && ((row) => provider.getParent!(row)),
    resolveTreeItem: provider.resolveTreeItem && ((item, row, token) => provider.resolveTreeItem!(item, row, token)),
  };
  return vscode.window.createTreeView(id, { ...options, treeDataProvider: marked });
}
