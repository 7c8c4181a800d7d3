import * as vscode from 'vscode';
import { MESSAGE_LIMIT, safeName } from './core/display/safeText';
import { showWarning } from './vscode/notify';
import { CommandHistory } from './core/fanOut/commandHistory';
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

/** What lives as long as the window: it outlasts a change of mode, which rebuilds only the ModeUi. */
interface WindowParts {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  bar: FleetStatusBar;
  history: CommandHistory;
  runs: RunHistory;
  runsView: RunsView;
  /** SecretStorage as the other windows of this profile follow it (through SecretPeers when a private folder could be had). */
  secrets: SecretStore;
  /** Rows our views handed out: a command on one of these very objects is the person's own click. */
  own: OwnRows;
  machineFiles: MachineFileSystem;
  /** Fires when the fleet, the credential or the mode changed. */
  fleetChanged: vscode.EventEmitter<void>;
  /** The current mode's services and views; undefined while the configuration is broken. */
  mode: ModeUi | undefined;
}

/** One mode's services and the views that show them, built and disposed together. */
interface ModeUi extends vscode.Disposable {
  services: ModeServices;
  tree: MachinesTree;
  sessions: SessionsView;
  status: StatusController;
}

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const app = windowParts(context);
  // Everything that depends on the mode (prod/dev) is rebuilt when the mode or its endpoints change.
  const rebuild = () => {
    app.mode?.dispose();
    app.mode = buildModeUi(app);
    if (!app.mode) return;
    void app.mode.status.update();
    app.fleetChanged.fire();
  };
  rebuild();
  context.subscriptions.push(
    { dispose: () => app.mode?.dispose() },
    ...registerCommandTable(commandsOf(app), app.log),
    ...integrations(app),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cmdop.mode') || e.affectsConfiguration('cmdop.endpoints')) rebuild();
      else if (e.affectsConfiguration('cmdop.fleet')) app.mode?.services.fleets.refresh();
    }),
  );
  // Read by the benchmark (scripts/bench); cheap enough to keep.
  app.log.info(`Activated in ${(performance.now() - started).toFixed(2)} ms`);
}

function windowParts(context: vscode.ExtensionContext): WindowParts {
  // Every line any part of the extension logs is redacted here, whatever the call site passes.
  const log = redactingLog(vscode.window.createOutputChannel('CMDOP', { log: true }));
  const bar = new FleetStatusBar();
  const runs = new RunHistory(20);
  const runsView = new RunsView(runs);
  const fleetChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(log, bar, runsView, fleetChanged);
  // Windows of this profile on this machine tell each other what they wrote to SecretStorage (code-server pages do not share it live).
  const secrets: SecretStore = startSecretPeers(context, log) ?? context.secrets;
  const parts: WindowParts = {
    context,
    log,
    bar,
    runs,
    runsView,
    secrets,
    fleetChanged,
    own: new OwnRows(),
    mode: undefined,
    history: new CommandHistory(context.secrets),
    // Registered once, before the mode's services: a machine folder restored by a reload asks for its files at once.
    machineFiles: new MachineFileSystem(() => parts.mode && { fleets: parts.mode.services.fleets, pool: parts.mode.services.pool }),
  };
  context.subscriptions.push(
    parts.machineFiles,
    vscode.workspace.registerFileSystemProvider(MACHINE_FILES_SCHEME, parts.machineFiles, { isCaseSensitive: true }),
  );
  return parts;
}

function buildModeUi(app: WindowParts): ModeUi | undefined {
  let s: ModeServices;
  try {
    s = createModeServices(app.context, app.log, app.secrets);
  } catch (err) {
    app.bar.showProblem((err as Error).message);
    app.log.error((err as Error).message);
    return undefined;
  }
  const tree = new MachinesTree(s.fleets, s.api);
  const view = createOwnTreeView('cmdop.machines', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true }, app.own);
  const status = new StatusController(
    s.fleets,
    app.bar,
    app.log,
    (problem) => (view.message = problem && safeName(problem, MESSAGE_LIMIT)),
  );
  const sessions = new SessionsView(s.fleets, s.pool, app.log);
  const sessionsView = createOwnTreeView('cmdop.sessions', { treeDataProvider: sessions }, app.own);
  const parts = vscode.Disposable.from(
    tree,
    view,
    tree.watch(view),
    sessions,
    sessionsView,
    sessions.watch(sessionsView),
    vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, 'CMDOP', s.auth, { supportsMultipleAccounts: false }),
    s.fleets.onDidChange((change) => {
      // The pool drops its channels by itself on a credential change; what this window shows follows.
      if (change === 'credentials') {
        app.machineFiles.forgetFleets();
        tree.refresh();
        sessions.refresh();
        app.fleetChanged.fire();
      }
      void status.update();
    }),
    s.keeper.onDidChange(({ reason, detail }) => {
      if (reason === 'expired') offerSignInAgain(detail);
    }),
  );
  return {
    services: s,
    tree,
    sessions,
    status,
    dispose: () => {
      parts.dispose();
      s.dispose();
    },
  };
}

/** `detail` is the bare cause ("the refresh token was revoked…"), so the sentence says "session ended" once. */
function offerSignInAgain(detail: string | undefined): void {
  const signIn = vscode.l10n.t('Sign In');
  const cause = detail ?? vscode.l10n.t('the refresh failed');
  void showWarning(vscode.l10n.t('CMDOP: Your session ended ({0}). Sign in again?', cause), signIn).then((c) => {
    if (c === signIn) void vscode.commands.executeCommand('cmdop.signIn');
  });
}

function machineDeps(app: WindowParts, s: ModeServices): MachineCommandDeps {
  return { fleets: s.fleets, api: s.api, pool: s.pool, history: app.history, state: app.context.globalState, log: app.log, own: app.own };
}

function fanOutDeps(app: WindowParts, s: ModeServices): FanOutCommandDeps {
  return { fleets: s.fleets, api: s.api, pool: s.pool, history: app.runs, commands: app.history, log: app.log, own: app.own };
}

function commandsOf(app: WindowParts): CommandTable {
  const { log, runs, own } = app;
  // Every command needs the mode's services except the few that only show something.
  const run =
    (fn: (s: ModeServices, ...args: any[]) => unknown) =>
    (...args: unknown[]) => {
      if (!app.mode) throw new NotConfiguredError();
      return fn(app.mode.services, ...args);
    };
  const tree = () => app.mode?.tree;
  const sessions = () => app.mode?.sessions;
  const filesDeps = (s: ModeServices): MachineFilesDeps => ({ ...machineDeps(app, s), provider: app.machineFiles, runs });
  return {
    'cmdop.signIn': run((s) => signIn(s.keeper)),
    'cmdop.signOut': run((s) => signOut(() => s.auth.removeSession())),
    'cmdop.addApiKey': run((s) => addApiKey(s.fleets, s.keys)),
    'cmdop.removeApiKey': run((s) => removeApiKey(s.fleets, s.keys)),
    'cmdop.switchFleet': run((s) => switchFleet(s.fleets, process.env)),
    'cmdop.setActiveFleet': run((s, fleet) => setActiveFleet(s.fleets, process.env, fleet)),
    'cmdop.refreshMachines': () => tree()?.refresh(),
    'cmdop.filterMachines': run(() => app.mode && filterMachines(app.mode.tree)),
    // Only the "Load more" row our tree handed out: it is the tree's own paging state.
    'cmdop.loadMoreMachines': run((_s, row) => (own.has(row) ? tree()?.loadMore(row as Extract<TreeNode, { kind: 'more' }>) : undefined)),
    // With several machines selected, VS Code passes the clicked node and the whole selection.
    'cmdop.runCommand': run((s, machine, selected?: unknown) =>
      Array.isArray(selected) && selected.length > 1
        ? runOnSelection(fanOutDeps(app, s), selected)
        : runCommand(machineDeps(app, s), machine),
    ),
    'cmdop.runOnFleet': run((s, node) => runOnFleet(fanOutDeps(app, s), node)),
    'cmdop.runOnMachines': run((s, request) => runOnMachines(fanOutDeps(app, s), request)),
    'cmdop.runs.openOutput': run((s, row) => openOutput(fanOutDeps(app, s), row)),
    'cmdop.runs.compareWithMajority': run((s, row) => compareWithMajority(fanOutDeps(app, s), row)),
    'cmdop.runs.rerunFailed': run((s, node) => rerun(fanOutDeps(app, s), node, 'failed')),
    'cmdop.runs.rerunAll': run((s, node) => rerun(fanOutDeps(app, s), node, 'all')),
    'cmdop.runs.cancel': run((s, node) => cancelRun(fanOutDeps(app, s), node)),
    'cmdop.runs.copyJson': run((s, node) => copyRun(fanOutDeps(app, s), node, 'json')),
    'cmdop.runs.copyMarkdown': run((s, node) => copyRun(fanOutDeps(app, s), node, 'markdown')),
    'cmdop.runs.clear': () => runs.clear(),
    'cmdop.runCommandOnMachine': run((s) => runCommand(machineDeps(app, s), undefined)),
    'cmdop.openShellOnMachine': run((s) => openShell(machineDeps(app, s), undefined)),
    'cmdop.openShell': run((s, node) => openShell(machineDeps(app, s), node)),
    'cmdop.copyHostname': run((s, machine) => copyHostname(machineDeps(app, s), machine)),
    'cmdop.showLog': () => log.show(),
    'cmdop.sessions.refresh': () => sessions()?.refresh(),
    'cmdop.sessions.attach': run((_s, node) => sessions()?.attach(node)),
    'cmdop.sessions.close': run((_s, node) => sessions()?.close(node)),
    'cmdop.openWalkthrough': run(() => openWalkthrough()),
    'cmdop.newRunbook': run((s) => newRunbook(s.fleets)),
    'cmdop.openMachineFolder': run((s, node) => openMachineFolder(filesDeps(s), node, 'open')),
    'cmdop.addMachineFolder': run((s, node) => openMachineFolder(filesDeps(s), node, 'add')),
    'cmdop.openMachineFile': run((s, node) => openMachineFile(filesDeps(s), node)),
    'cmdop.findInMachineFolder': run((s, node) => findInMachineFolder(filesDeps(s), node)),
    'cmdop.goToMachineFile': run((s, node) => goToMachineFile(filesDeps(s), node)),
    'cmdop.compareFileAcrossMachines': run((s, node) => compareFileAcrossMachines(filesDeps(s), node)),
  };
}

/** The Runs view, run output documents, the terminal profile, chat tools and runbooks: they ask for the mode when used. */
function integrations(app: WindowParts): vscode.Disposable[] {
  const services = () => app.mode?.services;
  // One set of chat-tool dependencies per services object, so the tools' lazily built handlers are reused.
  let chatToolsFor: { services: ModeServices; deps: ReturnType<typeof chatToolDeps> } | undefined;
  const chatTools = (s: ModeServices) => {
    if (chatToolsFor?.services !== s) chatToolsFor = { services: s, deps: chatToolDeps(fanOutDeps(app, s), () => app.mode?.status.active) };
    return chatToolsFor.deps;
  };
  return [
    createOwnTreeView('cmdop.runs', { treeDataProvider: app.runsView, showCollapseAll: true }, app.own),
    vscode.workspace.registerTextDocumentContentProvider(RUN_OUTPUT_SCHEME, new RunOutputDocuments(app.runs)),
    registerShellProfile(() => app.mode && machineDeps(app, app.mode.services)),
    registerChatTools(() => app.mode && chatTools(app.mode.services)),
    startRunbooksWhenOpened({
      context: app.context,
      log: app.log,
      services,
      onDidChangeFleet: app.fleetChanged.event,
      runOnMachine: async (fleetId, hostname, command) => {
        const s = services();
        if (!s) throw new NotConfiguredError();
        const fleet = await fleetById(s.fleets, fleetId);
        await openTerminal(machineDeps(app, s), { fleet, machine: { hostname, name: hostname } }, command);
      },
      runOnMachines: async (request, how) => {
        const s = services();
        if (!s) throw new NotConfiguredError();
        await runOnMachines(fanOutDeps(app, s), request, how);
      },
    }),
  ];
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
    void showWarning(message);
    return undefined;
  }
  const peers = new SecretPeers(context.secrets, folder, (line) => log.warn(line));
  void peers.start().catch((err: Error) => log.warn(`Other windows will not see this window's sign-in until they reload: ${err.message}`));
  context.subscriptions.push({ dispose: () => peers.dispose() });
  return peers;
}
