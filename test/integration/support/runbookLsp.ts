// Talks LSP to the real runbook language server over its stdio stream, and plays the extension's side of the
// `cmdop/*` fleet requests with a FleetFacts the caller builds. Used by the language-server tests and the bench.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { type FleetFacts, answerFactRequests } from '../../../src/core/runbook/fleetFacts';
import { FACTS_CHANGED_NOTIFICATION } from '../../../src/core/runbook/protocol';

const ROOT = path.resolve(__dirname, '../../..');

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
  source: string;
  data?: { suggestion?: string };
}

export interface RunbookLsp {
  connection: MessageConnection;
  /** Fleet requests the server made, by method. */
  asked: Record<string, number>;
  open(uri: string, text: string): Promise<Diagnostic[]>;
  change(uri: string, version: number, text: string): Promise<Diagnostic[]>;
  /** The next diagnostics published for `uri`. */
  nextDiagnostics(uri: string): Promise<Diagnostic[]>;
  factsChanged(uri: string): Promise<Diagnostic[]>;
  request<T>(method: string, params: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * `serverModule`: the bundle (dist/runbookServer.js) for the bench; by default the TypeScript source through tsx.
 */
export async function startRunbookLsp(facts: () => FleetFacts, options: { serverModule?: string } = {}): Promise<RunbookLsp> {
  const args = options.serverModule
    ? [options.serverModule, '--stdio']
    : ['--import', 'tsx', path.join(ROOT, 'src/runbook-server/main.ts'), '--stdio'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const asked: Record<string, number> = {};
  // The extension's own handlers, counted.
  answerFactRequests(facts, (type: { method: string }, answer: (params?: any) => Promise<unknown>) =>
    connection.onRequest(type.method, (params: unknown) => {
      asked[type.method] = (asked[type.method] ?? 0) + 1;
      return answer(params);
    }),
  );
  connection.onRequest('workspace/codeLens/refresh', () => null);

  const waiting = new Map<string, ((d: Diagnostic[]) => void)[]>();
  connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    const resolvers = waiting.get(p.uri) ?? [];
    waiting.delete(p.uri);
    for (const resolve of resolvers) resolve(p.diagnostics);
  });
  const nextDiagnostics = (uri: string) =>
    new Promise<Diagnostic[]>((resolve) => {
      waiting.set(uri, [...(waiting.get(uri) ?? []), resolve]);
    });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { codeLens: { refreshSupport: true } }, textDocument: { hover: { contentFormat: ['markdown'] } } },
  });
  await connection.sendNotification('initialized', {});

  return {
    connection,
    asked,
    nextDiagnostics,
    open(uri, text) {
      const next = nextDiagnostics(uri);
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
      return next;
    },
    change(uri, version, text) {
      const next = nextDiagnostics(uri);
      void connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return next;
    },
    factsChanged(uri) {
      const next = nextDiagnostics(uri);
      void connection.sendNotification(FACTS_CHANGED_NOTIFICATION);
      return next;
    },
    request: <T>(method: string, params: unknown) => connection.sendRequest(method, params) as Promise<T>,
    async close() {
      await connection.sendRequest('shutdown').catch(() => undefined);
      await connection.sendNotification('exit').catch(() => undefined);
      connection.dispose();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        setTimeout(() => child.kill(), 3000).unref();
        await exited;
      }
    },
  };
}
