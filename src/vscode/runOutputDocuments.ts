import * as vscode from 'vscode';
import { groupOutputs } from '../core/fanOut/grouping';
import type { RunHistory } from '../core/fanOut/runHistory';
import { MESSAGE_LIMIT, safeName } from '../core/display/safeText';

export const RUN_OUTPUT_SCHEME = 'cmdop-run';

/** `cmdop-run:/<run id>/<hostname>.log` — one machine's output; `…/majority.log` — the text most machines printed. */
export function runOutputUri(runId: number, name: string, command: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RUN_OUTPUT_SCHEME, path: `/${runId}/${name}.log`, query: new URLSearchParams({ command }).toString() });
}

/** Read-only documents with fan-out outputs (ANSI already stripped by the engine), kept as long as the run is. */
export class RunOutputDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly history: RunHistory) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id, file] = uri.path.split('/');
    const run = this.history.get(Number(id));
    if (!run) return 'This run is no longer kept (the Runs view keeps the last 20 of this window).\n';
    const name = file.replace(/\.log$/, '');
    if (name === 'majority') return groupOutputs(run.fanOut.results).majority?.output ?? '';
    const result = run.fanOut.results.find((r) => r.hostname === name);
    if (!result) return `${safeName(name)} has no result in this run yet.\n`;
    return result.output || (result.detail ? `(no output: ${safeName(result.detail, MESSAGE_LIMIT)})\n` : '(no output)\n');
  }
}
