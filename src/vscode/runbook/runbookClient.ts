import { NotConfiguredError } from '../../core/errors';
// Built as its own file (dist/runbookClient.js) and required when the first runbook opens: the language client
// library is not parsed at activation. Starts the server process and answers its fleet questions.
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { FleetFacts, answerFactRequests } from '../../core/runbook/fleetFacts';
import { fleetFactsSource } from '../../core/runbook/fleetFactsSource';
import { FACTS_CHANGED_NOTIFICATION, RUN_BLOCK_COMMAND, RUN_BLOCK_ON_COMMAND } from '../../core/runbook/protocol';
import type { RunbookHost } from './runbookHost';
import { runBlock, runBlockOn } from './runbookRuns';
import { isRunbook } from './runbookStarter';

/** Presence of the machines a runbook names is re-read this often while a runbook is open and the window focused. */
const PRESENCE_POLL_MS = 15_000;

export function startRunbookClient(host: RunbookHost): vscode.Disposable {
  const started = performance.now();
  let facts: FleetFacts | undefined;
  const currentFacts = () => {
    const services = host.services();
    if (!services) throw new NotConfiguredError();
    facts ??= new FleetFacts(fleetFactsSource(services.fleets, services.api));
    return facts;
  };

  const serverModule = host.context.asAbsolutePath('dist/runbookServer.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'markdown', pattern: '**/*.runbook.md' }],
    diagnosticCollectionName: 'cmdop-runbooks',
    // The server's messages and the client's own errors go to the CMDOP log, which redacts them.
    outputChannel: host.log,
  };
  const client = new LanguageClient('cmdop.runbooks', 'CMDOP Runbooks', serverOptions, clientOptions);

  answerFactRequests(currentFacts, client.onRequest.bind(client));

  const factsChanged = () => {
    if (client.isRunning()) void client.sendNotification(FACTS_CHANGED_NOTIFICATION);
  };
  const pollPresence = async () => {
    // Only while someone can see it: a runbook is open and the window has focus.
    if (!facts || !vscode.window.state.focused || !vscode.workspace.textDocuments.some(isRunbook)) return;
    if (await facts.refreshPresence().catch(() => false)) factsChanged();
  };
  const poll = setInterval(() => void pollPresence(), PRESENCE_POLL_MS);

  const subscriptions = [
    host.onDidChangeFleet(() => {
      // A new fleet or credential: a new facts cache on the new services, then every runbook is re-checked.
      facts = undefined;
      factsChanged();
    }),
    vscode.commands.registerCommand(RUN_BLOCK_COMMAND, (args) => runBlock(host, args)),
    vscode.commands.registerCommand(RUN_BLOCK_ON_COMMAND, (args) => runBlockOn(host, currentFacts, args)),
  ];
  client.start().then(
    () => host.log.info(`Runbook language server started in ${(performance.now() - started).toFixed(0)} ms`),
    (err) => host.log.error(`Runbook language server failed to start: ${(err as Error).message}`),
  );
  return new vscode.Disposable(() => {
    clearInterval(poll);
    vscode.Disposable.from(...subscriptions).dispose();
    void client.stop();
  });
}
