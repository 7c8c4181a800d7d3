// The runbook language server: its own bundle (dist/runbookServer.js) and its own Node process, started by
// the extension's language client when a `*.runbook.md` opens. It holds no credential: every fleet fact comes
// from the extension through the typed `cmdop/*` requests of src/core/runbook/protocol.ts. What it answers is
// built by the pure functions of features.ts; this file only wires them to the connection and the documents.
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  type Connection,
  type InitializeResult,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RequestType, RequestType0 } from 'vscode-jsonrpc';
import { FACTS_CHANGED_NOTIFICATION, FLEETS_REQUEST, GLOBS_REQUEST, MACHINES_REQUEST, SEARCH_REQUEST } from '../core/runbook/protocol';
import { type Analysis, type FactsAsker, analyzeRunbook } from './analyzeRunbook';
import {
  codeLensesOf,
  completionFleet,
  completionPlace,
  diagnosticsOf,
  documentSymbols,
  fleetCompletions,
  hoverOf,
  machineCompletions,
  quickFixes,
  tokenAt,
} from './features';
import { type Runbook, parseRunbook } from './parseRunbook';

const DEBOUNCE_MS = 150;

const CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  completionProvider: { triggerCharacters: ['@', ' ', ',', '-'] },
  hoverProvider: true,
  codeLensProvider: { resolveProvider: false },
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  documentSymbolProvider: true,
};

type Documents = TextDocuments<TextDocument>;

/**
 * Sends one of the shared typed requests. By method name: the server library carries its own copy of
 * vscode-jsonrpc, whose message classes the compiler keeps apart from the shared declarations' (the types
 * still come from those declarations, so both sides agree on parameters and answers).
 */
function ask<R>(connection: Connection, type: RequestType0<R, void>): Promise<R>;
function ask<P, R>(connection: Connection, type: RequestType<P, R, void>, params: P): Promise<R>;
function ask(connection: Connection, type: { method: string }, params?: unknown): Promise<unknown> {
  return params === undefined ? connection.sendRequest(type.method) : connection.sendRequest(type.method, params);
}

export function serveRunbooks(connection: Connection): void {
  const documents: Documents = new TextDocuments(TextDocument);
  const facts: FactsAsker = {
    fleets: () => ask(connection, FLEETS_REQUEST),
    machines: (fleetId, hostnames) => ask(connection, MACHINES_REQUEST, { fleetId, hostnames }),
    globs: (fleetId, patterns) => ask(connection, GLOBS_REQUEST, { fleetId, patterns }),
  };
  const analyses = new Analyses(facts);
  let lensRefresh = false;
  connection.onInitialize((params) => {
    lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    return { capabilities: CAPABILITIES, serverInfo: { name: 'cmdop-runbooks' } };
  });
  const checks = checkOnChange(connection, documents, analyses);
  connection.onNotification(FACTS_CHANGED_NOTIFICATION.method, () => {
    analyses.clear();
    for (const doc of documents.all()) checks.schedule(doc, 0);
    if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  });
  answerRequests(connection, documents, analyses, facts);
  documents.listen(connection);
  connection.listen();
}

/** Latest analysis per document version; lenses and hover wait for it rather than asking again. */
class Analyses {
  private readonly entries = new Map<string, { version: number; runbook: Runbook; analysis: Promise<Analysis> }>();
  constructor(private readonly facts: FactsAsker) {}

  of(doc: TextDocument) {
    const known = this.entries.get(doc.uri);
    if (known && known.version === doc.version) return known;
    const runbook = parseRunbook(doc.getText());
    const entry = { version: doc.version, runbook, analysis: analyzeRunbook(runbook, this.facts) };
    this.entries.set(doc.uri, entry);
    return entry;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Diagnostics, published a moment after the last keystroke (at once on open), for the version still open. */
function checkOnChange(connection: Connection, documents: Documents, analyses: Analyses) {
  const timers = new Map<string, NodeJS.Timeout>();
  const publish = async (doc: TextDocument) => {
    const entry = analyses.of(doc);
    let analysis: Analysis;
    try {
      analysis = await entry.analysis;
    } catch (err) {
      connection.console.error(`checking ${doc.uri} failed: ${(err as Error).message}`);
      analyses.forget(doc.uri);
      return;
    }
    if (documents.get(doc.uri)?.version !== entry.version) return;
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: diagnosticsOf(analysis) });
  };
  const schedule = (doc: TextDocument, delay = DEBOUNCE_MS) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => void publish(doc), delay),
    );
  };
  documents.onDidOpen(({ document }) => schedule(document, 0));
  documents.onDidChangeContent(({ document }) => schedule(document));
  documents.onDidClose(({ document }) => {
    clearTimeout(timers.get(document.uri));
    analyses.forget(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });
  return { schedule };
}

function answerRequests(connection: Connection, documents: Documents, analyses: Analyses, facts: FactsAsker): void {
  connection.onCodeLens(async ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    const analysis = doc && (await analyses.of(doc).analysis.catch(() => undefined));
    return analysis ? codeLensesOf(analysis) : [];
  });
  connection.onCodeAction(({ textDocument, context }) => quickFixes(textDocument.uri, context.diagnostics));
  connection.onHover(async ({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const { runbook, analysis: pending } = analyses.of(doc);
    const token = tokenAt(runbook, position);
    const analysis = token && (await pending.catch(() => undefined));
    return token && analysis ? hoverOf(runbook, analysis, token) : null;
  });
  connection.onCompletion(async ({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const line = doc
      .getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } })
      .replace(/\r?\n$/, '');
    const runbook = parseRunbook(doc.getText());
    const place = completionPlace(runbook, line, position);
    const fleets = await facts.fleets();
    if (place?.kind === 'fleet') return fleetCompletions(fleets, place.replace);
    const fleet = place && completionFleet(runbook, fleets);
    if (!place || !fleet) return [];
    const machines = await ask(connection, SEARCH_REQUEST, { fleetId: fleet.id, text: place.typed });
    return machineCompletions(machines, place.replace);
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? documentSymbols(parseRunbook(doc.getText()), doc.lineCount) : [];
  });
}

serveRunbooks(createConnection(ProposedFeatures.all));
