import * as vscode from 'vscode';
import { CommandHistory } from './core/commandHistory';
import { RelayPool } from './core/relay/relayPool';
import { createModeServices, type ModeServices } from './services';
import { AUTH_PROVIDER_ID } from './vscode/authProvider';
import { addApiKey, removeApiKey } from './vscode/commands/apiKeys';
import { copyHostname, type MachineCommandDeps, openShell, runCommand } from './vscode/commands/machines';
import { signIn, signOut } from './vscode/commands/signIn';
import { setActiveFleet, switchFleet } from './vscode/commands/switchFleet';
import { filterMachines } from './vscode/commands/filterMachines';
import { MachinesTree } from './vscode/machinesTree';
import { FleetStatusBar } from './vscode/statusBar';
import { StatusController } from './vscode/statusController';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('CMDOP', { log: true });
  const bar = new FleetStatusBar();
  const pool = new RelayPool(log);
  const history = new CommandHistory(context.secrets);
  context.subscriptions.push(log, bar, { dispose: () => pool.reset() });

  let services: ModeServices | undefined;
  let tree: MachinesTree | undefined;
  const perMode: vscode.Disposable[] = [];

  // Everything that depends on the mode (prod/dev) is rebuilt when the mode or its endpoints change.
  const build = () => {
    vscode.Disposable.from(...perMode.splice(0)).dispose();
    services?.dispose();
    pool.reset();
    try {
      services = createModeServices(context, log);
    } catch (err) {
      services = undefined;
      bar.showProblem((err as Error).message);
      log.error((err as Error).message);
      return;
    }
    const s = services;
    const status = new StatusController(s.fleets, bar, log);
    tree = new MachinesTree(s.fleets, s.api);
    const view = vscode.window.createTreeView('cmdop.machines', { treeDataProvider: tree, showCollapseAll: true });
    perMode.push(
      tree,
      view,
      tree.watch(view),
      vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, 'CMDOP', s.auth, { supportsMultipleAccounts: false }),
      s.fleets.onDidChange((change) => {
        if (change === 'credentials') {
          // A new fleet or credential means new channels: drop the old ones so nothing leaks across fleets.
          pool.reset();
          tree?.refresh();
        }
        void status.update();
      }),
      s.keeper.onDidChange(({ reason, detail }) => {
        if (reason !== 'expired') return;
        void vscode.window.showWarningMessage(`CMDOP: Your session ended (${detail ?? 'refresh failed'}). Sign in again?`, 'Sign In').then((c) => {
          if (c === 'Sign In') void vscode.commands.executeCommand('cmdop.signIn');
        });
      }),
    );
    void status.update();
  };
  build();

  const run = (fn: (s: ModeServices, ...args: any[]) => unknown) => async (...args: unknown[]) => {
    if (!services) {
      void vscode.window.showErrorMessage('CMDOP is not configured correctly; see "CMDOP: Show Log".');
      return;
    }
    try {
      await fn(services, ...args);
    } catch (err) {
      log.error((err as Error).message);
      void vscode.window.showErrorMessage(`CMDOP: ${(err as Error).message}`);
    }
  };
  const machineDeps = (s: ModeServices): MachineCommandDeps => ({ fleets: s.fleets, api: s.api, pool, history, state: context.globalState, log });

  context.subscriptions.push(
    { dispose: () => vscode.Disposable.from(...perMode).dispose() },
    { dispose: () => services?.dispose() },
    vscode.commands.registerCommand('cmdop.signIn', run(() => signIn())),
    vscode.commands.registerCommand('cmdop.signOut', run((s) => signOut(() => s.auth.removeSession()))),
    vscode.commands.registerCommand('cmdop.addApiKey', run((s) => addApiKey(s.fleets, s.keys))),
    vscode.commands.registerCommand('cmdop.removeApiKey', run((s) => removeApiKey(s.fleets, s.keys))),
    vscode.commands.registerCommand('cmdop.switchFleet', run((s) => switchFleet(s.fleets, process.env))),
    vscode.commands.registerCommand('cmdop.setActiveFleet', run((s, node) => setActiveFleet(s.fleets, process.env, node))),
    vscode.commands.registerCommand('cmdop.refreshMachines', () => tree?.refresh()),
    vscode.commands.registerCommand('cmdop.filterMachines', run(() => tree && filterMachines(tree))),
    vscode.commands.registerCommand('cmdop.loadMoreMachines', run((_s, node) => tree?.loadMore(node))),
    vscode.commands.registerCommand('cmdop.runCommand', run((s, node) => runCommand(machineDeps(s), node))),
    vscode.commands.registerCommand('cmdop.runCommandOnMachine', run((s) => runCommand(machineDeps(s), undefined))),
    vscode.commands.registerCommand('cmdop.openShell', run((s, node) => openShell(machineDeps(s), node))),
    vscode.commands.registerCommand('cmdop.copyHostname', run((_s, node) => copyHostname(node))),
    vscode.commands.registerCommand('cmdop.showLog', () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cmdop.mode') || e.affectsConfiguration('cmdop.endpoints')) build();
      else if (e.affectsConfiguration('cmdop.fleet')) services?.fleets.refresh();
    }),
  );
  // Read by the benchmark (scripts/bench); cheap enough to keep.
  log.info(`Activated in ${(performance.now() - started).toFixed(2)} ms`);
}

export function deactivate(): void {}
