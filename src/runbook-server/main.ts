// The runbook language server: its own bundle (dist/runbookServer.js) and its own Node process, started by
// the extension's language client when a `*.runbook.md` opens. It holds no credential: every fleet fact comes
// from the extension through the `cmdop/*` requests of src/core/runbook/protocol.ts.
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  type CodeLens,
  type CompletionItem,
  CompletionItemKind,
  type Connection,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  type Hover,
  MarkupKind,
  ProposedFeatures,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  FACTS_CHANGED_NOTIFICATION,
  FLEETS_REQUEST,
  type FleetsAnswer,
  GLOBS_REQUEST,
  type GlobsAnswer,
  type GlobsParams,
  MACHINES_REQUEST,
  type MachinesAnswer,
  type MachinesParams,
  RUN_BLOCK_COMMAND,
  RUN_BLOCK_ON_COMMAND,
  type RunBlockArgs,
  type RunBlockOnArgs,
  SEARCH_REQUEST,
  type SearchAnswer,
  type SearchParams,
  isGlob,
} from '../core/runbook/protocol';
import { type Analysis, type FactsAsker, type Severity, analyzeRunbook } from './analyzeRunbook';
import { safeName } from '../core/display/safeText';
import { diagnosticText, fleetHover, globHover, machineHover, replaceTitle, runLensTitle } from './runbookText';
import { type Runbook, type Token, parseRunbook } from './parseRunbook';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};
const SOURCE = 'cmdop';
const DEBOUNCE_MS = 150;

export function serveRunbooks(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const facts: FactsAsker = {
    fleets: () => connection.sendRequest<FleetsAnswer>(FLEETS_REQUEST),
    machines: (fleetId, hostnames) =>
      connection.sendRequest<MachinesAnswer>(MACHINES_REQUEST, { fleetId, hostnames } satisfies MachinesParams),
    globs: (fleetId, patterns) => connection.sendRequest<GlobsAnswer>(GLOBS_REQUEST, { fleetId, patterns } satisfies GlobsParams),
  };
  /** Latest analysis per document version; lenses and hover wait for it rather than asking again. */
  const analyses = new Map<string, { version: number; runbook: Runbook; analysis: Promise<Analysis> }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let lensRefresh = false;

  const analysisOf = (doc: TextDocument) => {
    const known = analyses.get(doc.uri);
    if (known && known.version === doc.version) return known;
    const runbook = parseRunbook(doc.getText());
    const entry = { version: doc.version, runbook, analysis: analyzeRunbook(runbook, facts) };
    analyses.set(doc.uri, entry);
    return entry;
  };

  const publish = async (doc: TextDocument) => {
    const entry = analysisOf(doc);
    let analysis: Analysis;
    try {
      analysis = await entry.analysis;
    } catch (err) {
      connection.console.error(`checking ${doc.uri} failed: ${(err as Error).message}`);
      analyses.delete(doc.uri);
      return;
    }
    if (documents.get(doc.uri)?.version !== entry.version) return;
    const diagnostics: Diagnostic[] = analysis.findings.map((f) => ({
      range: { start: { line: f.line, character: f.start }, end: { line: f.line, character: f.end } },
      severity: SEVERITY[f.severity],
      source: SOURCE,
      code: f.code,
      message: diagnosticText(f.message),
      data: f.suggestion ? { suggestion: f.suggestion } : undefined,
    }));
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const schedule = (doc: TextDocument, delay = DEBOUNCE_MS) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => void publish(doc), delay),
    );
  };

  connection.onInitialize((params) => {
    lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['@', ' ', ',', '-'] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'cmdop-runbooks' },
    };
  });

  documents.onDidOpen(({ document }) => schedule(document, 0));
  documents.onDidChangeContent(({ document }) => schedule(document));
  documents.onDidClose(({ document }) => {
    clearTimeout(timers.get(document.uri));
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onNotification(FACTS_CHANGED_NOTIFICATION, () => {
    analyses.clear();
    for (const doc of documents.all()) schedule(doc, 0);
    if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  });

  connection.onCodeLens(async ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const analysis = await analysisOf(doc).analysis.catch(() => undefined);
    const fleet = analysis?.fleet;
    if (!analysis || !fleet) return [];
    const lenses: CodeLens[] = [];
    for (const plan of analysis.plans) {
      if (!plan.runnable) continue;
      const range = { start: { line: plan.block.line, character: 0 }, end: { line: plan.block.line, character: 0 } };
      if (plan.hostnames.length > 0) {
        const args: RunBlockArgs = { fleetId: fleet.id, hostnames: plan.hostnames, command: plan.block.body };
        lenses.push({
          range,
          command: { title: runLensTitle(plan.hostnames), command: RUN_BLOCK_COMMAND, arguments: [args] },
        });
      }
      const onArgs: RunBlockOnArgs = { fleetId: fleet.id, command: plan.block.body };
      lenses.push({ range, command: { title: 'Run on…', command: RUN_BLOCK_ON_COMMAND, arguments: [onArgs] } });
    }
    return lenses;
  });

  connection.onCodeAction(({ textDocument, context }) =>
    context.diagnostics
      .filter((d) => d.source === SOURCE && d.code === 'unknown-host' && (d.data as { suggestion?: string } | undefined)?.suggestion)
      .map((d) => {
        const suggestion = (d.data as { suggestion: string }).suggestion;
        return {
          title: replaceTitle(suggestion),
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [textDocument.uri]: [{ range: d.range, newText: suggestion }] } },
        };
      }),
  );

  connection.onHover(async ({ textDocument, position }): Promise<Hover | null> => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const { runbook, analysis: pending } = analysisOf(doc);
    const token = tokenAt(runbook, position.line, position.character);
    if (!token) return null;
    const analysis = await pending.catch(() => undefined);
    const fleet = analysis?.fleet;
    if (!analysis || !fleet) return null;
    const range = { start: { line: token.line, character: token.start }, end: { line: token.line, character: token.end } };
    const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });
    if (token === runbook.fleet) return markdown(fleetHover(fleet));
    if (isGlob(token.text)) {
      const match = analysis.globs[token.text];
      return match ? markdown(globHover(token.text, match, fleet)) : null;
    }
    const machine = analysis.machines[token.text];
    return machine ? markdown(machineHover(machine, fleet)) : null;
  });

  connection.onCompletion(async ({ textDocument, position }): Promise<CompletionItem[]> => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const line = doc
      .getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } })
      .replace(/\r?\n$/, '');
    const before = line.slice(0, position.character);
    const runbook = parseRunbook(doc.getText());
    const inFrontMatter =
      !!runbook.frontMatter && position.line > runbook.frontMatter.startLine && position.line < runbook.frontMatter.endLine;
    const typed = /[^\s,[\]'"@]*$/.exec(before)![0];
    const replace = { start: { line: position.line, character: position.character - typed.length }, end: position };
    const fleets = await facts.fleets();
    if (inFrontMatter && /^fleet\s*:/.test(before)) {
      return fleets.fleets.map((f) => ({
        label: f.id,
        kind: CompletionItemKind.Module,
        detail: safeName(`${f.name} · ${f.role}`),
        textEdit: { range: replace, newText: f.id },
      }));
    }
    const inTargets =
      inFrontMatter && (/^targets\s*:/.test(before) || runbook.targetLines.includes(position.line) || /^\s*-\s+/.test(before));
    const inInfo = !inFrontMatter && /^ {0,3}(`{3,}|~{3,})\s*(sh|bash|shell)\b.*@[^\s@]*$/i.test(before);
    if (!inTargets && !inInfo) return [];
    const wanted = runbook.fleet?.text || fleets.activeFleetId;
    const fleet = fleets.fleets.find((f) => f.id === wanted) ?? fleets.fleets.find((f) => f.name === wanted);
    if (!fleet) return [];
    const machines = await connection.sendRequest<SearchAnswer>(SEARCH_REQUEST, { fleetId: fleet.id, text: typed } satisfies SearchParams);
    const items: CompletionItem[] = machines.map((m, i) => ({
      label: m.hostname,
      kind: CompletionItemKind.Value,
      detail: safeName(`${m.online ? 'online' : 'offline'} · ${m.os || 'unknown OS'}`),
      sortText: String(i).padStart(4, '0'),
      textEdit: { range: replace, newText: m.hostname },
    }));
    // Globs people reach for: the numbered families of the machines found ("web-*" for web-1, web-2).
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
  });

  connection.onDocumentSymbol(({ textDocument }): DocumentSymbol[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return documentSymbols(parseRunbook(doc.getText()), doc.lineCount);
  });

  documents.listen(connection);
  connection.listen();
}

function tokenAt(runbook: Runbook, line: number, character: number): Token | undefined {
  const all = [...(runbook.fleet ? [runbook.fleet] : []), ...runbook.targets, ...runbook.blocks.flatMap((b) => b.targets)];
  return all.find((t) => t.line === line && character >= t.start && character <= t.end && t.text);
}

/** Headings nest by level; shell blocks sit under the heading they follow. */
export function documentSymbols(runbook: Runbook, lineCount: number): DocumentSymbol[] {
  type Node = DocumentSymbol & { level: number };
  const roots: DocumentSymbol[] = [];
  const stack: Node[] = [];
  const items = [
    ...runbook.headings.map((h) => ({ line: h.line, heading: h })),
    ...runbook.blocks.map((b) => ({ line: b.line, block: b })),
  ].sort((a, b) => a.line - b.line);
  const range = (start: number, end: number) => ({ start: { line: start, character: 0 }, end: { line: end, character: 0 } });
  for (const item of items) {
    if ('heading' in item && item.heading) {
      const h = item.heading;
      while (stack.length && stack[stack.length - 1].level >= h.level) stack.pop();
      const next = runbook.headings.find((o) => o.line > h.line && o.level <= h.level);
      const end = next ? next.line - 1 : lineCount - 1;
      const node: Node = {
        name: h.text || '(untitled)',
        kind: SymbolKind.Namespace,
        range: range(h.line, end),
        selectionRange: range(h.line, h.line),
        children: [],
        level: h.level,
      };
      (stack.length ? stack[stack.length - 1].children! : roots).push(node);
      stack.push(node);
    } else if ('block' in item && item.block) {
      const b = item.block;
      const first =
        b.body
          .split('\n')
          .find((l) => l.trim())
          ?.trim() ?? '(empty)';
      const targets = b.targets.length
        ? b.targets.map((t) => t.text).join(', ')
        : runbook.targets.map((t) => t.text).join(', ') || 'no target';
      const symbol: DocumentSymbol = {
        name: first.length > 60 ? `${first.slice(0, 59)}…` : first,
        detail: `${b.language} · ${targets}`,
        kind: SymbolKind.Function,
        range: range(b.line, b.endLine),
        selectionRange: range(b.line, b.line),
      };
      (stack.length ? stack[stack.length - 1].children! : roots).push(symbol);
    }
  }
  const strip = (symbols: DocumentSymbol[]): DocumentSymbol[] =>
    symbols.map(({ level: _level, ...s }: DocumentSymbol & { level?: number }) => ({ ...s, children: s.children && strip(s.children) }));
  return strip(roots);
}

serveRunbooks(createConnection(ProposedFeatures.all));
