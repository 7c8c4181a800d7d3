import * as vscode from 'vscode';
import { notificationText } from './core/display/safeText';
import { CommandHistory } from './core/fanOut/commandHistory';
import { RelayPool } from './core/relay/relayPool';
import { SecretPeers } from './core/windows/secretPeers';
import type { SecretStore } from './core/windows/storage';
import { createModeServices, type ModeServices } from './services';
import { AUTH_PROVIDER_ID } from './vscode/authProvider';
import { addApiKey, removeApiKey } from './vscode/commands/apiKeys';
import { RunHistory } from './core/fanOut/runHistory';
import { type FanOutCommandDeps, runOnFleet, runOnMachines, runOnSelection } from './vscode/commands/fanOut';
import { copyHostname, type MachineCommandDeps, openShell, openTerminal, runCommand } from './vscode/commands/machines';
import { cancelRun, compareWithMajority, copyRun, openOutput, rerun } from './vscode/commands/runs';
import { RUN_OUTPUT_SCHEME, RunOutputDocuments } from './vscode/runOutputDocuments';
import { RunsView } from './vscode/runsView';
import { signIn, signOut } from './vscode/commands/signIn';
import { setActiveFleet, switchFleet } from './vscode/commands/switchFleet';
import { filterMachines } from './vscode/commands/filterMachines';
import { MachinesTree, type TreeNode } from './vscode/machinesTree';
import { startRunbooksWhenOpened } from './vscode/runbook/runbookStarter';
import { FleetStatusBar } from './vscode/statusBar';
import { StatusController } from './vscode/statusController';
import { registerShellProfile } from './vscode/terminalProfile';
import { SessionsView } from './vscode/sessionsView';
import { newRunbook, openWalkthrough } from './vscode/commands/walkthrough';
import { chatToolDeps } from './vscode/chatTools/chatToolDeps';
import { registerChatTools } from './vscode/chatTools/registerChatTools';
import { NotConfiguredError } from './core/errors';
import { redactingLog } from './core/network/redactingLog';
import { type CommandTable, registerCommandTable } from './vscode/commandTable';
import { MACHINE_FILES_SCHEME } from './core/files/machineUri';
import { MachineFileSystem } from './vscode/machineFiles';
import { OwnRows } from './core/commands/commandArguments';
import { createOwnTreeView } from './vscode/ownTreeView';
import { fleetById } from './vscode/relayAccess';
import {
  compareFileAcrossMachines,
  findInMachineFolder,
  goToMachineFile,
  type MachineFilesDeps,
  openMachineFile,
  openMachineFolder,
} from './vscode/commands/machineFiles';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  // Every line any part of the extension logs is redacted here, whatever the call site passes.
  const log = redactingLog(vscode.window.createOutputChannel('CMDOP', { log: true }));
  const bar = new FleetStatusBar();
  const pool = new RelayPool(log);
  const history = new CommandHistory(context.secrets);
  const runs = new RunHistory(20);
  const runsView = new RunsView(runs);
  // Rows our views handed out: a command on one of these very objects is the person's own click.
  const own = new OwnRows();
  context.subscriptions.push(log, bar, { dispose: () => pool.reset() }, runsView);

  // Windows of this profile on this machine tell each other what they wrote to SecretStorage (code-server pages do not share it live).
  const peers = startSecretPeers(context, log);
  const secrets: SecretStore = peers ?? context.secrets;

  let services: ModeServices | undefined;
  // Registered once, before the mode's services: a machine folder restored by a reload asks for its files at once.
  const machineFiles = new MachineFileSystem(() => services && { fleets: services.fleets, pool });
  context.subscriptions.push(
    machineFiles,
    vscode.workspace.registerFileSystemProvider(MACHINE_FILES_SCHEME, machineFiles, { isCaseSensitive: true }),
  );
  let tree: MachinesTree | undefined;
  let sessions: SessionsView | undefined;
  let status: StatusController | undefined;
  const perMode: vscode.Disposable[] = [];
  const fleetChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(fleetChanged);

  // Everything that depends on the mode (prod/dev) is rebuilt when the mode or its endpoints change.
  const build = () => {
    vscode.Disposable.from(...perMode.splice(0)).dispose();
    status = undefined;
    services?.dispose();
    pool.reset();
    try {
      services = createModeServices(context, log, secrets);
      pool.setTls(services.relayTls);
    } catch (err) {
      services = undefined;
      bar.showProblem((err as Error).message);
      log.error((err as Error).message);
      return;
    }
    const s = services;
    tree = new MachinesTree(s.fleets, s.api);
    const view = createOwnTreeView('cmdop.machines', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true }, own);
    const statusNow = new StatusController(s.fleets, bar, log, (problem) => (view.message = problem));
    status = statusNow;
    sessions = new SessionsView(s.fleets, pool, log);
    const sessionsView = createOwnTreeView('cmdop.sessions', { treeDataProvider: sessions }, own);
    perMode.push(
      tree,
      view,
      tree.watch(view),
      sessions,
      sessionsView,
      sessions.watch(sessionsView),
      vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, 'CMDOP', s.auth, { supportsMultipleAccounts: false }),
      s.fleets.onDidChange((change) => {
        if (change === 'credentials') {
          // A new fleet or credential means new channels: drop the old ones so nothing leaks across fleets.
          pool.reset();
          machineFiles.forgetFleets();
          tree?.refresh();
          sessions?.refresh();
          fleetChanged.fire();
        }
        void statusNow.update();
      }),
      s.keeper.onDidChange(({ reason, detail }) => {
        if (reason !== 'expired') return;
        // `detail` is the bare cause ("the refresh token was revoked…"), so the sentence says "session ended" once.
        void vscode.window
          .showWarningMessage(notificationText(`CMDOP: Your session ended (${detail ?? 'the refresh failed'}). Sign in again?`), 'Sign In')
          .then((c) => {
            if (c === 'Sign In') void vscode.commands.executeCommand('cmdop.signIn');
          });
      }),
    );
    void statusNow.update();
    fleetChanged.fire();
  };
  build();

  // Every command needs the mode's services except the few that only show something.
  const run =
    (fn: (s: ModeServices, ...args: any[]) => unknown) =>
    (...args: unknown[]) => {
      if (!services) throw new NotConfiguredError();
      return fn(services, ...args);
    };
  const machineDeps = (s: ModeServices): MachineCommandDeps => ({
    fleets: s.fleets,
    api: s.api,
    pool,
    history,
    state: context.globalState,
    log,
    own,
  });
  const fanOutDeps = (s: ModeServices): FanOutCommandDeps => ({
    fleets: s.fleets,
    api: s.api,
    pool,
    history: runs,
    commands: history,
    log,
    own,
  });

  const filesDeps = (s: ModeServices): MachineFilesDeps => ({ ...machineDeps(s), provider: machineFiles, runs });
  const commands: CommandTable = {
    'cmdop.signIn': run((s) => signIn(s.keeper)),
    'cmdop.signOut': run((s) => signOut(() => s.auth.removeSession())),
    'cmdop.addApiKey': run((s) => addApiKey(s.fleets, s.keys)),
    'cmdop.removeApiKey': run((s) => removeApiKey(s.fleets, s.keys)),
    'cmdop.switchFleet': run((s) => switchFleet(s.fleets, process.env)),
    'cmdop.setActiveFleet': run((s, fleet) => setActiveFleet(s.fleets, process.env, fleet)),
    'cmdop.refreshMachines': () => tree?.refresh(),
    'cmdop.filterMachines': run(() => tree && filterMachines(tree)),
    // Only the "Load more" row our tree handed out: it is the tree's own paging state.
    'cmdop.loadMoreMachines': run((_s, row) => (own.has(row) ? tree?.loadMore(row as Extract<TreeNode, { kind: 'more' }>) : undefined)),
    // With several machines selected, VS Code passes the clicked node and the whole selection.
    'cmdop.runCommand': run((s, machine, selected?: unknown) =>
      Array.isArray(selected) && selected.length > 1 ? runOnSelection(fanOutDeps(s), selected) : runCommand(machineDeps(s), machine),
    ),
    'cmdop.runOnFleet': run((s, node) => runOnFleet(fanOutDeps(s), node)),
    'cmdop.runOnMachines': run((s, request) => runOnMachines(fanOutDeps(s), request)),
    'cmdop.runs.openOutput': run((s, row) => openOutput(fanOutDeps(s), row)),
    'cmdop.runs.compareWithMajority': run((s, row) => compareWithMajority(fanOutDeps(s), row)),
    'cmdop.runs.rerunFailed': run((s, node) => rerun(fanOutDeps(s), node, 'failed')),
    'cmdop.runs.rerunAll': run((s, node) => rerun(fanOutDeps(s), node, 'all')),
    'cmdop.runs.cancel': run((s, node) => cancelRun(fanOutDeps(s), node)),
    'cmdop.runs.copyJson': run((s, node) => copyRun(fanOutDeps(s), node, 'json')),
    'cmdop.runs.copyMarkdown': run((s, node) => copyRun(fanOutDeps(s), node, 'markdown')),
    'cmdop.runs.clear': () => runs.clear(),
    'cmdop.runCommandOnMachine': run((s) => runCommand(machineDeps(s), undefined)),
    'cmdop.openShellOnMachine': run((s) => openShell(machineDeps(s), undefined)),
    'cmdop.openShell': run((s, node) => openShell(machineDeps(s), node)),
    'cmdop.copyHostname': run((s, machine) => copyHostname(machineDeps(s), machine)),
    'cmdop.showLog': () => log.show(),
    'cmdop.sessions.refresh': () => sessions?.refresh(),
    'cmdop.sessions.attach': run((_s, node) => sessions?.attach(node)),
    'cmdop.sessions.close': run((_s, node) => sessions?.close(node)),
    'cmdop.openWalkthrough': run(() => openWalkthrough()),
    'cmdop.newRunbook': run((s) => newRunbook(s.fleets)),
    'cmdop.openMachineFolder': run((s, node) => openMachineFolder(filesDeps(s), node, 'open')),
    'cmdop.addMachineFolder': run((s, node) => openMachineFolder(filesDeps(s), node, 'add')),
    'cmdop.openMachineFile': run((s, node) => openMachineFile(filesDeps(s), node)),
    'cmdop.findInMachineFolder': run((s, node) => findInMachineFolder(filesDeps(s), node)),
    'cmdop.goToMachineFile': run((s, node) => goToMachineFile(filesDeps(s), node)),
    'cmdop.compareFileAcrossMachines': run((s, node) => compareFileAcrossMachines(filesDeps(s), node)),
  };

  // One set of chat-tool dependencies per services object, so the tools' lazily built handlers are reused.
  let chatToolsFor: { services: ModeServices; deps: ReturnType<typeof chatToolDeps> } | undefined;
  const chatTools = (s: ModeServices) => {
    if (chatToolsFor?.services !== s) chatToolsFor = { services: s, deps: chatToolDeps(fanOutDeps(s), () => status?.active) };
    return chatToolsFor.deps;
  };

  context.subscriptions.push(
    { dispose: () => vscode.Disposable.from(...perMode).dispose() },
    { dispose: () => services?.dispose() },
    createOwnTreeView('cmdop.runs', { treeDataProvider: runsView, showCollapseAll: true }, own),
    vscode.workspace.registerTextDocumentContentProvider(RUN_OUTPUT_SCHEME, new RunOutputDocuments(runs)),
    registerShellProfile(() => services && machineDeps(services)),
    ...registerCommandTable(commands, log),
    registerChatTools(() => services && chatTools(services)),
    startRunbooksWhenOpened({
      context,
      log,
      services: () => services,
      onDidChangeFleet: fleetChanged.event,
      runOnMachine: async (fleetId, hostname, command) => {
        if (!services) throw new NotConfiguredError();
        const fleet = await fleetById(services.fleets, fleetId);
        await openTerminal(machineDeps(services), { fleet, machine: { hostname, name: hostname } }, command);
      },
      runOnMachines: async (request, how) => {
        if (!services) throw new NotConfiguredError();
        await runOnMachines(fanOutDeps(services), request, how);
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cmdop.mode') || e.affectsConfiguration('cmdop.endpoints')) build();
      else if (e.affectsConfiguration('cmdop.fleet')) services?.fleets.refresh();
    }),
  );
  // Read by the benchmark (scripts/bench); cheap enough to keep.
  log.info(`Activated in ${(performance.now() - started).toFixed(2)} ms`);
}

export function deactivate(): void {}

/** The window's link to its peers, or none (said in the log and a warning) when no private folder can be had. */
function startSecretPeers(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): SecretPeers | undefined {
  let folder: string;
  try {
    folder = SecretPeers.privateFolderFor(context.globalStorageUri.toString());
  } catch (err) {
    const message = (err as Error).message;
    log.warn(message);
    void vscode.window.showWarningMessage(message);
    return undefined;
  }
  const peers = new SecretPeers(context.secrets, folder, (line) => log.warn(line));
  void peers.start().catch((err: Error) => log.warn(`Other windows will not see this window's sign-in until they reload: ${err.message}`));
  context.subscriptions.push({ dispose: () => peers.dispose() });
  return peers;
}
