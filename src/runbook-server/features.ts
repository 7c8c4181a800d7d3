// What the runbook server answers, built from a parsed runbook and its analysis: diagnostics, run lenses, hover,
// completion, quick fixes and the outline. Pure (no connection, no documents), so each is unit-tested alone;
// main.ts only wires them to LSP requests.
import {
  type CodeAction,
  CodeActionKind,
  type CodeLens,
  type CompletionItem,
  CompletionItemKind,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  type Hover,
  MarkupKind,
  type Position,
  type Range,
  SymbolKind,
} from 'vscode-languageserver/node';
import {
  type FleetFact,
  type FleetsAnswer,
  RUN_BLOCK_COMMAND,
  RUN_BLOCK_ON_COMMAND,
  type RunBlockArgs,
  type RunBlockOnArgs,
  type SearchAnswer,
  isGlob,
} from '../core/runbook/protocol';
import { safeName } from '../core/display/safeText';
import { type Analysis, type Severity } from './analyzeRunbook';
import { diagnosticText, fleetHover, globHover, machineHover, replaceTitle, runLensTitle } from './runbookText';
import type { Runbook, ShellBlock, Token } from './parseRunbook';

/** The `source` of every diagnostic this server publishes; quick fixes answer only these. */
export const SOURCE = 'cmdop';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

const lineRange = (line: number, start: number, end: number): Range => ({
  start: { line, character: start },
  end: { line, character: end },
});

export function diagnosticsOf(analysis: Analysis): Diagnostic[] {
  return analysis.findings.map((f) => ({
    range: lineRange(f.line, f.start, f.end),
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.code,
    message: diagnosticText(f.message),
    data: f.suggestion ? { suggestion: f.suggestion } : undefined,
  }));
}

/** "▶ Run on …" for a block whose targets resolved, and "Run on…" (pick machines) for every runnable block. */
export function codeLensesOf(analysis: Analysis): CodeLens[] {
  const fleet = analysis.fleet;
  if (!fleet) return [];
  const lenses: CodeLens[] = [];
  for (const plan of analysis.plans) {
    if (!plan.runnable) continue;
    const range = lineRange(plan.block.line, 0, 0);
    if (plan.hostnames.length > 0) {
      const args: RunBlockArgs = { fleetId: fleet.id, hostnames: plan.hostnames, command: plan.block.body };
      lenses.push({ range, command: { title: runLensTitle(plan.hostnames), command: RUN_BLOCK_COMMAND, arguments: [args] } });
    }
    const onArgs: RunBlockOnArgs = { fleetId: fleet.id, command: plan.block.body };
    lenses.push({ range, command: { title: 'Run on…', command: RUN_BLOCK_ON_COMMAND, arguments: [onArgs] } });
  }
  return lenses;
}

/** "Replace with …" for each unknown host of ours that has a close real hostname. */
export function quickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  return diagnostics
    .filter((d) => d.source === SOURCE && d.code === 'unknown-host' && (d.data as { suggestion?: string } | undefined)?.suggestion)
    .map((d) => {
      const suggestion = (d.data as { suggestion: string }).suggestion;
      return {
        title: replaceTitle(suggestion),
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [uri]: [{ range: d.range, newText: suggestion }] } },
      };
    });
}

/** The fleet, target or block target under the cursor, if any. */
export function tokenAt(runbook: Runbook, position: Position): Token | undefined {
  const all = [...(runbook.fleet ? [runbook.fleet] : []), ...runbook.targets, ...runbook.blocks.flatMap((b) => b.targets)];
  return all.find((t) => t.line === position.line && position.character >= t.start && position.character <= t.end && t.text);
}

/** The fleet (name, role), a glob (its matches) or a machine (its facts) under `token`. */
export function hoverOf(runbook: Runbook, analysis: Analysis, token: Token): Hover | null {
  const fleet = analysis.fleet;
  if (!fleet) return null;
  const range = lineRange(token.line, token.start, token.end);
  const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });
  if (token === runbook.fleet) return markdown(fleetHover(fleet));
  if (isGlob(token.text)) {
    const match = analysis.globs[token.text];
    return match ? markdown(globHover(token.text, match, fleet)) : null;
  }
  const machine = analysis.machines[token.text];
  return machine ? markdown(machineHover(machine, fleet)) : null;
}

/** What the cursor is completing: a fleet id (`fleet:`), a machine (targets, or `@` in a shell fence), or nothing. */
export type CompletionPlace = { kind: 'fleet' | 'machine'; typed: string; replace: Range } | undefined;

/** `line` is the whole line the cursor is on, without its line break. */
export function completionPlace(runbook: Runbook, line: string, position: Position): CompletionPlace {
  const before = line.slice(0, position.character);
  const front = runbook.frontMatter;
  const inFrontMatter = !!front && position.line > front.startLine && position.line < front.endLine;
  const typed = /[^\s,[\]'"@]*$/.exec(before)![0];
  const replace = { start: { line: position.line, character: position.character - typed.length }, end: position };
  if (inFrontMatter && /^fleet\s*:/.test(before)) return { kind: 'fleet', typed, replace };
  const inTargets =
    inFrontMatter && (/^targets\s*:/.test(before) || runbook.targetLines.includes(position.line) || /^\s*-\s+/.test(before));
  const inInfo = !inFrontMatter && /^ {0,3}(`{3,}|~{3,})\s*(sh|bash|shell)\b.*@[^\s@]*$/i.test(before);
  return inTargets || inInfo ? { kind: 'machine', typed, replace } : undefined;
}

export function fleetCompletions(fleets: FleetsAnswer, replace: Range): CompletionItem[] {
  return fleets.fleets.map((f) => ({
    label: f.id,
    kind: CompletionItemKind.Module,
    detail: safeName(`${f.name} · ${f.role}`),
    textEdit: { range: replace, newText: f.id },
  }));
}

/** The fleet machines are completed from: the runbook's own `fleet:` (id, else name), else the active one. */
export function completionFleet(runbook: Runbook, fleets: FleetsAnswer): FleetFact | undefined {
  const wanted = runbook.fleet?.text || fleets.activeFleetId;
  return fleets.fleets.find((f) => f.id === wanted) ?? fleets.fleets.find((f) => f.name === wanted);
}

/** The machines found, in the server's order, then the numbered families people reach for ("web-*" for web-1, web-2). */
export function machineCompletions(machines: SearchAnswer, replace: Range): CompletionItem[] {
  const items: CompletionItem[] = machines.map((m, i) => ({
    label: m.hostname,
    kind: CompletionItemKind.Value,
    detail: safeName(`${m.online ? 'online' : 'offline'} · ${m.os || 'unknown OS'}`),
    sortText: String(i).padStart(4, '0'),
    textEdit: { range: replace, newText: m.hostname },
  }));
  const families = new Map<string, number>();
  for (const m of machines) {
    const family = /^(.*?[-_.]?)\d+$/.exec(m.hostname)?.[1];
    if (family) families.set(`${family}*`, (families.get(`${family}*`) ?? 0) + 1);
  }
  for (const [glob, count] of families) {
    items.push({
      label: glob,
      kind: CompletionItemKind.Folder,
      detail: `glob · ${count}${machines.length >= 50 ? '+' : ''} machines`,
      sortText: `~${glob}`,
      textEdit: { range: replace, newText: glob },
    });
  }
  return items;
}

type OutlineNode = DocumentSymbol & { level: number };

/** Headings nest by level; shell blocks sit under the heading they follow. */
export function documentSymbols(runbook: Runbook, lineCount: number): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const stack: OutlineNode[] = [];
  const items = [
    ...runbook.headings.map((h) => ({ line: h.line, heading: h })),
    ...runbook.blocks.map((b) => ({ line: b.line, block: b })),
  ].sort((a, b) => a.line - b.line);
  const parent = () => (stack.length ? stack[stack.length - 1].children! : roots);
  for (const item of items) {
    if ('heading' in item && item.heading) {
      const h = item.heading;
      while (stack.length && stack[stack.length - 1].level >= h.level) stack.pop();
      const next = runbook.headings.find((o) => o.line > h.line && o.level <= h.level);
      const end = next ? next.line - 1 : lineCount - 1;
      const node: OutlineNode = {
        name: h.text || '(untitled)',
        kind: SymbolKind.Namespace,
        range: { start: { line: h.line, character: 0 }, end: { line: end, character: 0 } },
        selectionRange: lineRange(h.line, 0, 0),
        children: [],
        level: h.level,
      };
      parent().push(node);
      stack.push(node);
    } else if ('block' in item && item.block) {
      parent().push(blockSymbol(runbook, item.block));
    }
  }
  const strip = (symbols: DocumentSymbol[]): DocumentSymbol[] =>
    symbols.map(({ level: _level, ...s }: DocumentSymbol & { level?: number }) => ({ ...s, children: s.children && strip(s.children) }));
  return strip(roots);
}

function blockSymbol(runbook: Runbook, b: ShellBlock): DocumentSymbol {
  const first =
    b.body
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '(empty)';
  const targets = b.targets.length ? b.targets.map((t) => t.text).join(', ') : runbook.targets.map((t) => t.text).join(', ') || 'no target';
  return {
    name: first.length > 60 ? `${first.slice(0, 59)}…` : first,
    detail: `${b.language} · ${targets}`,
    kind: SymbolKind.Function,
    range: { start: { line: b.line, character: 0 }, end: { line: b.endLine, character: 0 } },
    selectionRange: lineRange(b.line, 0, 0),
  };
}
