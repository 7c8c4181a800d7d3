import * as vscode from 'vscode';
import type { RunbookHost } from './runbookHost';

export const RUNBOOK_SUFFIX = '.runbook.md';
export const isRunbook = (doc: vscode.TextDocument) => doc.uri.path.toLowerCase().endsWith(RUNBOOK_SUFFIX);

/**
 * The only runbook work done at activation: watch for the first `*.runbook.md`. The language client (its own
 * lazily required bundle, dist/runbookClient.js) and the server process start then, never before.
 * Runbooks stay `markdown` (highlighting and preview keep working), so the check is by file name, not language id.
 */
export function startRunbooksWhenOpened(host: RunbookHost): vscode.Disposable {
  let started: vscode.Disposable | undefined;
  const start = () => {
    if (started) return;
    watcher.dispose();
    try {
      // Loaded only when a runbook is opened, so the language client costs nothing at activation.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startRunbookClient } = require('./runbookClient') as typeof import('./runbookClient');
      started = startRunbookClient(host);
    } catch (err) {
      host.log.error(`Runbook language server did not start: ${(err as Error).message}`);
      started = new vscode.Disposable(() => undefined);
    }
  };
  const watcher = vscode.workspace.onDidOpenTextDocument((doc) => {
    if (isRunbook(doc)) start();
  });
  // A runbook restored with the window: start after activate() returns, so activation time stays what it was.
  if (vscode.workspace.textDocuments.some(isRunbook)) setTimeout(start, 0);
  return new vscode.Disposable(() => {
    watcher.dispose();
    started?.dispose();
  });
}
