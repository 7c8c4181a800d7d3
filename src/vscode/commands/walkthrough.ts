import * as vscode from 'vscode';
import type { FleetContext } from '../../core/fleet/fleetContext';

export const WALKTHROUGH_ID = 'cmdop.cmdop-vscode#getStarted';

export async function openWalkthrough(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/**
 * *CMDOP: New Runbook*: an untitled `*.runbook.md` (so the runbook language server picks it up) with one
 * block for the active fleet's first online machine, saved wherever the user chooses.
 */
export async function newRunbook(fleets: FleetContext): Promise<void> {
  const active = await fleets.current().catch(() => undefined);
  const fleetLine = active ? `fleet: ${active.fleet.id}\n` : '';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = 'new.runbook.md';
  const uri = folder ? vscode.Uri.joinPath(folder, name).with({ scheme: 'untitled' }) : vscode.Uri.parse(`untitled:${name}`);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  if (document.getText().trim()) return;
  await editor.insertSnippet(
    new vscode.SnippetString(
      `---\n${fleetLine}targets: \${1:web-1}\n---\n\n# \${2:What this runbook does}\n\nEach \`sh\` block gets a **Run** lens; \`@host\` after the language picks its machines.\n\n\`\`\`sh\n\${3:uname -a}\n\`\`\`\n`,
    ),
  );
}
