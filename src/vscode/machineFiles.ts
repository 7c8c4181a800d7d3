import * as vscode from 'vscode';
import { CmdopError, GuestReadOnlyError, MachineFileError, NOT_CONFIGURED_MESSAGE } from '../core/errors';
import { ChangeWatcher, type Snapshot } from '../core/files/changeWatcher';
import { readWholeFile } from '../core/files/chunkedReader';
import { entryKind, entrySignature, FileKind, toFileStat, type WireFileEntry } from '../core/files/fileEntry';
import { MachineFiles } from '../core/files/machineFiles';
import {
  locationOf,
  MACHINE_FILES_SCHEME,
  type MachineLocation,
  resolveLinkTarget,
  sameMachine,
  uriPathOf,
} from '../core/files/machineUri';
import type { FleetInfo } from '../core/fleet/fleetApi';
import type { FleetContext } from '../core/fleet/fleetContext';
import { canUseSessions } from '../core/fleet/machines';
import type { RelayClient } from '../core/relay/relayClient';
import type { RelayPool } from '../core/relay/relayPool';
import { fleetById } from './fanOutLauncher';
import { relayFor } from './relayAccess';

export interface MachineFilesAccess {
  fleets: FleetContext;
  pool: RelayPool;
}

export function machineUri(fleetId: string, hostname: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: MACHINE_FILES_SCHEME, authority: fleetId, path: uriPathOf({ hostname, path }) });
}

export function locationOfUri(uri: vscode.Uri): MachineLocation {
  return locationOf(uri.authority, uri.path);
}

/** A failure as the FileSystemError VS Code expects: its kind decides what the explorer and editor do. */
function fsError(err: unknown): Error {
  if (err instanceof vscode.FileSystemError) return err;
  const message = (err as Error)?.message ?? String(err);
  const kind = err instanceof MachineFileError ? err.kind : 'Unavailable';
  return kind === 'Other' ? new vscode.FileSystemError(message) : vscode.FileSystemError[kind](message);
}

/**
 * `cmdop://<fleet id>/<hostname>/<path>`: a machine's files through the fleet's relay (the same credential
 * and pooled channel as its terminals). Guests get read-only stats and refused writes; changes on the
 * machine are polled (see ChangeWatcher) while the window is focused.
 */
export class MachineFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  readonly watcher = new ChangeWatcher((key, kind) => this.snapshot(vscode.Uri.parse(key), kind));
  private fleetInfos = new Map<string, Promise<FleetInfo>>();
  private readonly machines = new WeakMap<RelayClient, Map<string, MachineFiles>>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly access: () => MachineFilesAccess | undefined) {
    this.watcher.setFocused(vscode.window.state.focused);
    const kinds = {
      created: vscode.FileChangeType.Created,
      changed: vscode.FileChangeType.Changed,
      deleted: vscode.FileChangeType.Deleted,
    };
    this.subscriptions.push(
      vscode.window.onDidChangeWindowState((s) => this.watcher.setFocused(s.focused)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.watcher.forget(doc.uri.toString())),
    );
    this.watcher.onDidChange((found) => this.changes.fire(found.map((c) => ({ type: kinds[c.kind], uri: vscode.Uri.parse(c.key) }))));
  }

  /** Credentials changed: fleets are looked up again (a role may have changed). */
  forgetFleets(): void {
    this.fleetInfos = new Map();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changes.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }

  async fleetOf(fleetId: string): Promise<FleetInfo> {
    const access = this.requireAccess();
    let info = this.fleetInfos.get(fleetId);
    if (!info) {
      info = fleetById(access.fleets, fleetId);
      this.fleetInfos.set(fleetId, info);
      info.catch(() => this.fleetInfos.delete(fleetId));
    }
    return info;
  }

  /** The machine's files through the fleet's pooled relay channel. */
  async filesOn(fleetId: string, hostname: string): Promise<{ fleet: FleetInfo; files: MachineFiles }> {
    const access = this.requireAccess();
    const fleet = await this.fleetOf(fleetId);
    const client = await relayFor(access.fleets, access.pool, fleet, false);
    let byHost = this.machines.get(client);
    if (!byHost) this.machines.set(client, (byHost = new Map()));
    let files = byHost.get(hostname);
    if (!files) byHost.set(hostname, (files = new MachineFiles(client, hostname)));
    return { fleet, files };
  }

  watch(uri: vscode.Uri, options: { readonly recursive: boolean }): vscode.Disposable {
    return this.watcher.watch(uri.toString(), options.recursive);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.guard(async () => {
      const { fleet, files, path } = await this.open(uri);
      const entry = await files.stat(path);
      return toFileStat(entry, {
        readonly: !canUseSessions(fleet.role),
        targetKind: await this.linkTargetKind(files, entry),
      }) as vscode.FileStat;
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.guard(async () => {
      const { files, path } = await this.open(uri);
      const entries = await files.list(path);
      this.watcher.seen(uri.toString(), this.dirSnapshot(uri, entries));
      return Promise.all(
        entries.map(async (e): Promise<[string, vscode.FileType]> => {
          const kind = entryKind(e);
          return [e.name, (kind === FileKind.SymbolicLink ? kind | ((await this.linkTargetKind(files, e)) ?? 0) : kind) as vscode.FileType];
        }),
      );
    });
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.guard(async () => {
      const { files, path } = await this.open(uri);
      const content = await readWholeFile((offset, length) => files.read(path, offset, length), `${files.hostname}:${path}`);
      // An open editor under a machine folder is polled even when its folder is not expanded in the explorer.
      const key = uri.toString();
      if (this.watcher.covers(key)) {
        const entry = await files.stat(path).catch(() => undefined);
        if (entry) this.watcher.seen(key, { kind: 'file', entries: new Map([[key, entrySignature(entry)]]) });
      }
      return content;
    });
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    return this.guard(async () => {
      const { files, path } = await this.openForChange(uri);
      const exists = await this.exists(files, path);
      if (!exists && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
      if (exists && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
      await files.write(path, content, { overwrite: true });
      this.fire(uri, exists ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created);
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.guard(async () => {
      const { files, path } = await this.openForChange(uri);
      await files.mkdir(path);
      this.fire(uri, vscode.FileChangeType.Created);
    });
  }

  delete(uri: vscode.Uri, options: { readonly recursive: boolean }): Promise<void> {
    return this.guard(async () => {
      const { files, path } = await this.openForChange(uri);
      await files.delete(path, options.recursive);
      this.fire(uri, vscode.FileChangeType.Deleted);
    });
  }

  rename(source: vscode.Uri, target: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    return this.guard(async () => {
      const from = await this.openForChange(source);
      const to = await this.openForChange(target);
      if (sameMachine(from.location, to.location)) await from.files.move(from.path, to.path, options.overwrite);
      else {
        // Between machines a move is a copy and a delete: there is no RPC spanning two machines.
        await this.copyAcross(from, to, options.overwrite);
        await from.files.delete(from.path, true);
      }
      this.changes.fire([
        { type: vscode.FileChangeType.Deleted, uri: source },
        { type: vscode.FileChangeType.Created, uri: target },
      ]);
    });
  }

  copy(source: vscode.Uri, target: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    return this.guard(async () => {
      const from = await this.open(source);
      const to = await this.openForChange(target);
      if (sameMachine(from.location, to.location)) await from.files.copy(from.path, to.path, options.overwrite);
      else await this.copyAcross(from, to, options.overwrite);
      this.fire(target, vscode.FileChangeType.Created);
    });
  }

  private async copyAcross(from: Opened, to: Opened, overwrite: boolean): Promise<void> {
    if (!overwrite && (await this.exists(to.files, to.path)))
      throw vscode.FileSystemError.FileExists(machineUri(to.location.fleetId, to.location.hostname, to.path));
    const copyPath = async (source: string, target: string): Promise<void> => {
      const entry = await from.files.stat(source);
      if (entryKind(entry) === FileKind.Directory) {
        if (!(await this.exists(to.files, target))) await to.files.mkdir(target);
        for (const child of await from.files.list(source)) await copyPath(`${source}/${child.name}`, `${target}/${child.name}`);
        return;
      }
      const content = await readWholeFile((o, l) => from.files.read(source, o, l), `${from.files.hostname}:${source}`);
      await to.files.write(target, content, { overwrite: true });
    };
    await copyPath(from.path, to.path);
  }

  private async exists(files: MachineFiles, path: string): Promise<boolean> {
    try {
      await files.stat(path);
      return true;
    } catch (err) {
      if (err instanceof MachineFileError && err.kind === 'FileNotFound') return false;
      throw err;
    }
  }

  private async linkTargetKind(files: MachineFiles, entry: WireFileEntry): Promise<number | undefined> {
    if (entryKind(entry) !== FileKind.SymbolicLink || !entry.symlink_target) return undefined;
    const target = await files.stat(resolveLinkTarget(entry.path, entry.symlink_target)).catch(() => undefined);
    return target ? entryKind(target) : FileKind.Unknown;
  }

  private dirSnapshot(uri: vscode.Uri, entries: WireFileEntry[]): Snapshot {
    return { kind: 'dir', entries: new Map(entries.map((e) => [vscode.Uri.joinPath(uri, e.name).toString(), entrySignature(e)])) };
  }

  /** What the change watcher compares at a watched key. */
  private async snapshot(uri: vscode.Uri, kind: Snapshot['kind'] | undefined): Promise<Snapshot | undefined> {
    const { files, path } = await this.open(uri);
    try {
      if (kind !== 'dir') {
        const entry = await files.stat(path);
        if (entryKind(entry) !== FileKind.Directory) return { kind: 'file', entries: new Map([[uri.toString(), entrySignature(entry)]]) };
      }
      return this.dirSnapshot(uri, await files.list(path));
    } catch (err) {
      if (err instanceof MachineFileError && err.kind === 'FileNotFound') return undefined;
      throw err;
    }
  }

  private requireAccess(): MachineFilesAccess {
    const access = this.access();
    if (!access) throw new MachineFileError('Unavailable', NOT_CONFIGURED_MESSAGE);
    return access;
  }

  private async open(uri: vscode.Uri): Promise<Opened> {
    const location = locationOfUri(uri);
    const { fleet, files } = await this.filesOn(location.fleetId, location.hostname);
    return { fleet, files, path: location.path, location };
  }

  private async openForChange(uri: vscode.Uri): Promise<Opened> {
    const opened = await this.open(uri);
    if (!canUseSessions(opened.fleet.role)) throw new GuestReadOnlyError(opened.fleet.name);
    return opened;
  }

  private fire(uri: vscode.Uri, type: vscode.FileChangeType): void {
    this.changes.fire([{ type, uri }]);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fsError(
        err instanceof CmdopError || err instanceof vscode.FileSystemError ? err : new MachineFileError('Other', (err as Error).message),
      );
    }
  }
}

interface Opened {
  fleet: FleetInfo;
  files: MachineFiles;
  path: string;
  location: MachineLocation;
}
