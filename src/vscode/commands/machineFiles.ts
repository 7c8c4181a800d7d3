import * as vscode from 'vscode';
import { showInformation } from '../notify';
import { errorPickText, fileHitPickText } from '../../core/display/pickItems';
import { labelText, MESSAGE_LIMIT } from '../../core/display/safeText';
import { CmdopError } from '../../core/errors';
import { FanOut } from '../../core/fanOut/fanOut';
import { hostMatcher } from '../../core/fanOut/hostGlob';
import type { RunHistory } from '../../core/fanOut/runHistory';
import { chooseTargets, listAllMachines } from '../../core/fanOut/targets';
import { COMPARE_LIMIT_BYTES, compareResults, comparisonSummary, FileReadRunner } from '../../core/files/compareFiles';
import { baseName, expandHome, MACHINE_FILES_SCHEME, parentOf } from '../../core/files/machineUri';
import { filenameGlob, type SearchHit, searchHits } from '../../core/files/searchResults';
import type { FleetInfo } from '../../core/fleet/fleetApi';
import { fanOutSettings, fleetById } from '../fanOutLauncher';
import { locationOfUri, type MachineFileSystem, machineUri } from '../machineFiles';
import { runOutputUri } from '../runOutputDocuments';
import { machineTarget } from './commandTargets';
import { type MachineCommandDeps, pickMachine } from './machines';

export interface MachineFilesDeps extends MachineCommandDeps {
  provider: MachineFileSystem;
  runs: RunHistory;
}

interface Machine {
  fleet: FleetInfo;
  hostname: string;
}

/** The machine a command is for: a row or `{ fleetId, hostname }` looked up in our own fleets and machines, or picked. */
async function machineOf(deps: MachineFilesDeps, node: unknown, purpose: string): Promise<Machine | undefined> {
  const target = (await machineTarget(deps, node)) ?? (await pickMachine(deps, purpose));
  return target && { fleet: target.fleet, hostname: target.machine.hostname };
}

/** A folder or file a command was invoked on: a cmdop: URI from the explorer or the active editor. */
function machineResource(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri && arg.scheme === MACHINE_FILES_SCHEME) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  return active?.scheme === MACHINE_FILES_SCHEME ? active : undefined;
}

async function askPath(deps: MachineFilesDeps, machine: Machine, title: string, suffix = ''): Promise<string | undefined> {
  const { files } = await deps.provider.filesOn(machine.fleet.id, machine.hostname);
  const home = await files.home();
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} ({1})', title, labelText(machine.hostname)),
    prompt: vscode.l10n.t('A path on {0}: absolute, or from its home with ~/', machine.hostname),
    value: `${home}${suffix}`,
    ignoreFocusOut: true,
  });
  return typed === undefined || !typed.trim() ? undefined : expandHome(typed, home);
}

/** *Open Folder on Machine…* (the window opens it) and *Add Machine Folder to Workspace…*. */
export async function openMachineFolder(deps: MachineFilesDeps, node: unknown, how: 'open' | 'add'): Promise<void> {
  const machine = await machineOf(deps, node, how === 'open' ? 'Open a folder on a machine' : 'Add a machine folder');
  if (!machine) return;
  const path = await askPath(deps, machine, how === 'open' ? 'Open Folder on Machine' : 'Add Machine Folder to Workspace');
  if (!path) return;
  const uri = machineUri(machine.fleet.id, machine.hostname, path);
  const stat = await vscode.workspace.fs.stat(uri);
  if (!(stat.type & vscode.FileType.Directory))
    throw new CmdopError(`${machine.hostname}:${path} is not a folder. Use Open File on Machine… for a file.`);
  const name = `${machine.hostname}: ${path}`;
  if (how === 'open') await vscode.commands.executeCommand('vscode.openFolder', uri, { forceReuseWindow: true });
  else if (!vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri, name }))
    throw new CmdopError(`VS Code did not add ${name} to the workspace (is it there already?).`);
}

/** *Open File on Machine…*: text in the editor, anything else in the editor VS Code picks for it. */
export async function openMachineFile(deps: MachineFilesDeps, node: unknown): Promise<void> {
  const machine = await machineOf(deps, node, 'Open a file on a machine');
  if (!machine) return;
  const path = await askPath(deps, machine, 'Open File on Machine', '/');
  if (path) await vscode.commands.executeCommand('vscode.open', machineUri(machine.fleet.id, machine.hostname, path));
}

/** The folder to search: the one clicked, the machine folder of the workspace, or a machine's home. */
async function searchRoot(deps: MachineFilesDeps, arg: unknown): Promise<vscode.Uri | undefined> {
  const clicked = machineResource(arg);
  if (clicked) {
    const stat = await vscode.workspace.fs.stat(clicked);
    return stat.type & vscode.FileType.Directory ? clicked : clicked.with({ path: parentOf(clicked.path) });
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === MACHINE_FILES_SCHEME);
  if (folders.length === 1) return folders[0].uri;
  if (folders.length > 1)
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Search which machine folder?') }))?.uri;
  const machine = await machineOf(deps, arg, 'Search files on a machine');
  if (!machine) return undefined;
  const { files } = await deps.provider.filesOn(machine.fleet.id, machine.hostname);
  return machineUri(machine.fleet.id, machine.hostname, await files.home());
}

type HitItem = vscode.QuickPickItem & { hit: SearchHit };

function hitItems(hits: SearchHit[]): HitItem[] {
  return hits.map((hit) => ({
    ...fileHitPickText(hit.line ? `${baseName(hit.path)}:${hit.line}` : baseName(hit.path), parentOf(hit.path), hit.preview),
    hit,
  }));
}

async function openHit(root: vscode.Uri, hit: SearchHit): Promise<void> {
  const { fleetId, hostname } = locationOfUri(root);
  const uri = machineUri(fleetId, hostname, hit.path);
  if (hit.line === undefined) {
    await vscode.commands.executeCommand('vscode.open', uri);
    return;
  }
  const at = new vscode.Position(hit.line - 1, hit.columnStart ?? 0);
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(at, at.translate(0, (hit.columnEnd ?? 0) - (hit.columnStart ?? 0))),
  });
}

/** *Find in Folder on Machine…*: the machine greps (FileSearch); each hit listed at its line, picking one opens it there. */
export async function findInMachineFolder(deps: MachineFilesDeps, arg: unknown): Promise<void> {
  const root = await searchRoot(deps, arg);
  if (!root) return;
  const { hostname, path } = locationOfUri(root);
  const pattern = await vscode.window.showInputBox({
    title: vscode.l10n.t('Find in {0}:{1}', labelText(hostname), labelText(path, MESSAGE_LIMIT)),
    prompt: vscode.l10n.t('Regular expression to find in the files (case-insensitive)'),
    ignoreFocusOut: true,
  });
  if (!pattern) return;
  const glob = await vscode.window.showInputBox({
    title: vscode.l10n.t('Find "{0}" in {1}:{2}', pattern, labelText(hostname), labelText(path, MESSAGE_LIMIT)),
    prompt: vscode.l10n.t('Only in files whose name matches (glob, e.g. *.conf); empty for every file'),
    ignoreFocusOut: true,
  });
  if (glob === undefined) return;
  const { files } = await deps.provider.filesOn(root.authority, hostname);
  const result = await files.search({ path, contentPattern: pattern, filenamePattern: glob.trim() });
  const hits = searchHits(result);
  if (hits.length === 0) {
    void showInformation(vscode.l10n.t('No match for "{0}" in {1}:{2}.', pattern, hostname, path));
    return;
  }
  const picked = await vscode.window.showQuickPick(hitItems(hits), {
    title: vscode.l10n.t(
      '{0} matches for "{1}" in {2}:{3}',
      `${hits.length}${result.truncated ? '+' : ''}`,
      pattern,
      labelText(hostname),
      labelText(path, MESSAGE_LIMIT),
    ),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked) await openHit(root, picked.hit);
}

/** *Go to File on Machine…*: files by name under the machine folder, searched on the machine as you type. */
export async function goToMachineFile(deps: MachineFilesDeps, arg: unknown): Promise<void> {
  const root = await searchRoot(deps, arg);
  if (!root) return;
  const { hostname, path } = locationOfUri(root);
  const { files } = await deps.provider.filesOn(root.authority, hostname);
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = vscode.l10n.t('Go to File on {0}:{1}', labelText(hostname), labelText(path, MESSAGE_LIMIT));
  pick.placeholder = vscode.l10n.t('Type part of a file name (or a glob such as *.conf)');
  pick.matchOnDescription = true;
  let timer: NodeJS.Timeout | undefined;
  let asked = 0;
  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    const glob = filenameGlob(value);
    if (!glob) return void (pick.items = []);
    timer = setTimeout(() => {
      const mine = ++asked;
      pick.busy = true;
      files
        .search({ path, filenamePattern: glob, maxResults: 100 })
        .then(
          (result) => mine === asked && (pick.items = hitItems(searchHits(result).filter((h) => h.line === undefined))),
          (err: Error) =>
            mine === asked && (pick.items = [{ ...errorPickText(err.message), hit: { path: '', preview: '' }, alwaysShow: true }]),
        )
        .finally(() => mine === asked && (pick.busy = false));
    }, 200);
  });
  const chosen = await new Promise<HitItem | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  clearTimeout(timer);
  pick.dispose();
  if (chosen?.hit.path) await openHit(root, chosen.hit);
}

export interface CompareRequest {
  fleetId?: string;
  path?: string;
  /** Hostnames or hostname globs (web-*, db-1). */
  hostnames?: string[];
}

/**
 * *Compare File Across Machines…*: one path read on many machines (bounded and concurrent, as a fan-out),
 * identical files grouped in the Runs view, the machines without it listed, a diff of an outlier against the majority.
 */
export async function compareFileAcrossMachines(deps: MachineFilesDeps, arg: unknown): Promise<void> {
  const request = (arg && !(arg instanceof vscode.Uri) ? arg : {}) as CompareRequest;
  const { fleet, path } = await fileToCompare(deps, arg, request);
  if (!path?.trim()) return;
  await compareOnMachines(deps, request, fleet, path);
}

/** The clicked file (under its machine's home: at the same place under each home), else the request's or an asked path. */
async function fileToCompare(
  deps: MachineFilesDeps,
  arg: unknown,
  request: CompareRequest,
): Promise<{ fleet: FleetInfo; path: string | undefined }> {
  const clicked = machineResource(arg instanceof vscode.Uri ? arg : undefined);
  let fleet: FleetInfo;
  let path: string | undefined;
  if (clicked) {
    const loc = locationOfUri(clicked);
    fleet = await fleetById(deps.fleets, loc.fleetId);
    // A file under the machine's home is compared at the same place under each machine's home.
    const home = await (await deps.provider.filesOn(fleet.id, loc.hostname)).files.home();
    path = loc.path.startsWith(`${home}/`) ? `~${loc.path.slice(home.length)}` : loc.path;
  } else {
    fleet = typeof request.fleetId === 'string' ? await fleetById(deps.fleets, request.fleetId) : (await deps.fleets.current()).fleet;
    path = typeof request.path === 'string' ? request.path : undefined;
  }
  path =
    path ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Compare File Across Machines'),
      prompt: vscode.l10n.t("Path on the machines (~/ is each machine's home)"),
      value: '~/',
      ignoreFocusOut: true,
    }));
  return { fleet, path };
}

async function compareOnMachines(deps: MachineFilesDeps, request: CompareRequest, fleet: FleetInfo, path: string): Promise<void> {
  const wanted = Array.isArray(request.hostnames)
    ? request.hostnames.map(String).join(',')
    : await vscode.window.showInputBox({
        title: vscode.l10n.t('Compare {0} across machines in {1}', path, labelText(fleet.name)),
        prompt: vscode.l10n.t('Hostname pattern (glob, e.g. web-* or web-1, db-1). Empty for every online machine.'),
        ignoreFocusOut: true,
      });
  if (wanted === undefined) return;
  const { credential } = await deps.fleets.current({ fleetId: fleet.id });
  const all = await listAllMachines(deps.api, credential, fleet.id);
  const matches = hostMatcher(wanted);
  const chosen = all.filter((m) => matches(m.hostname) && (wanted.trim() || m.is_online)).map((m) => m.hostname);
  if (chosen.length === 0) throw new CmdopError(`No machine in ${fleet.name} matches "${wanted.trim()}".`);
  const targets = chooseTargets(all, chosen);
  const settings = fanOutSettings();
  const runner = new FileReadRunner(async (hostname) => (await deps.provider.filesOn(fleet.id, hostname)).files);
  const fanOut = new FanOut({
    command: path.trim(),
    targets: targets.run,
    skipped: targets.skipped,
    runner,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    outputLimitBytes: COMPARE_LIMIT_BYTES,
  });
  const run = deps.runs.add({
    command: path.trim(),
    fleetId: fleet.id,
    fleetName: fleet.name,
    startedAt: new Date(),
    fanOut,
    comparesFile: true,
  });
  void vscode.commands.executeCommand('cmdop.runs.focus');
  const results = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('CMDOP: reading {0} on {1} machines', path, targets.run.length),
      cancellable: true,
    },
    (_progress, token) => {
      token.onCancellationRequested(() => fanOut.cancel());
      return fanOut.done;
    },
  );
  await showComparison(run, path, results);
}

/** Says how the copies compare and opens the diff of an outlier against the majority (or the first group). */
async function showComparison(run: { id: number; command: string }, path: string, results: Awaited<FanOut['done']>): Promise<void> {
  const comparison = compareResults(results);
  void showInformation(`CMDOP: ${comparisonSummary(path, comparison)}.`);
  const reference = comparison.grouping.majority ? 'majority' : comparison.grouping.groups[0]?.hostnames[0];
  if (comparison.outlier && reference) {
    const label = comparison.grouping.majority ? 'majority' : reference;
    await vscode.commands.executeCommand(
      'vscode.diff',
      runOutputUri(run.id, reference, run.command),
      runOutputUri(run.id, comparison.outlier, run.command),
      `${baseName(path)}: ${label} ↔ ${comparison.outlier}`,
    );
  }
}
