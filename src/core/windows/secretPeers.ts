import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, unlinkSync } from 'node:fs';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { choosePrivateFolder, ensurePrivateFolder } from './privateFolder';
import type { SecretStore } from './storage';

/** A folder of windows that all went away (crashed, killed) is removed once it has been untouched this long. */
const STALE_FOLDER_MS = 60 * 60 * 1000;
const FOLDER_PREFIX = 'cmdop-peers-';

/** Whether a window still listens on this socket; anything but a clear "nobody" counts as alive. */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => (socket.destroy(), resolve(true)), 1_000);
    socket.once('connect', () => (clearTimeout(timer), socket.destroy(), resolve(true)));
    socket.once(
      'error',
      (err: NodeJS.ErrnoException) => (clearTimeout(timer), resolve(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT')),
    );
  });
}

interface SecretUpdate {
  key: string;
  value: string | null;
}

/**
 * Keeps the SecretStorage of every window of this user on this machine in step.
 *
 * Desktop VS Code announces secret changes to every window, but code-server's browser-side SecretStorage reads
 * each page's own copy, loaded once: another window's sign-in stays invisible until a reload, and a write
 * from a stale page overwrites newer values. So each window also tells its peers what it wrote, over unix
 * sockets in a private (0700) folder; a peer writes the same value into its own SecretStorage, which fires
 * that window's change event. Values travel only between processes of the same user and never rest on disk.
 */
export class SecretPeers implements SecretStore {
  private server: Server | undefined;
  private readonly socketPath: string;
  readonly onDidChange: SecretStore['onDidChange'];

  constructor(
    private readonly inner: SecretStore,
    /** Folder of the sockets; windows that share it are peers. */
    readonly dir: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.socketPath = join(dir, `${randomUUID().slice(0, 8)}.sock`);
    this.onDidChange = inner.onDidChange;
  }

  /**
   * The peer folder for a place every window of a profile shares (e.g. the extension's global storage path),
   * created private (0700, ours, not a symlink) or checked to be; a name another local user took is passed over.
   * Throws UnsafeFolderError, saying what to do, when no private folder can be had.
   */
  static privateFolderFor(sharedPath: string): string {
    return choosePrivateFolder(SecretPeers.folderFor(sharedPath));
  }

  /** The first name tried for the peer folder of a shared place. */
  static folderFor(sharedPath: string): string {
    const uid = process.getuid?.() ?? 0;
    // Short on purpose: unix socket paths are limited to about 100 bytes.
    return join(tmpdir(), `${FOLDER_PREFIX}${uid}-${createHash('sha256').update(sharedPath).digest('hex').slice(0, 12)}`);
  }

  /**
   * Removes the peer folders of this user, beside `ownDir`, that nobody uses any more: untouched for an hour,
   * holding only sockets nobody listens on and lock files. Windows killed without cleaning up (a crash, a test
   * run's code-server) leave them behind, one per profile. Returns the folders removed.
   */
  static async sweepStale(ownDir: string, olderThanMs = STALE_FOLDER_MS, now = Date.now()): Promise<string[]> {
    const uid = process.getuid?.() ?? 0;
    const parent = dirname(ownDir);
    const removed: string[] = [];
    const names = (await readdir(parent).catch(() => [] as string[])).filter(
      (n) => n.startsWith(`${FOLDER_PREFIX}${uid}-`) && n !== basename(ownDir),
    );
    for (const name of names) {
      const folder = join(parent, name);
      try {
        const info = await lstat(folder);
        if (!info.isDirectory() || info.uid !== uid || now - info.mtimeMs < olderThanMs) continue;
        const entries = await readdir(folder);
        if (entries.some((e) => !e.endsWith('.sock') && !e.endsWith('.lock'))) continue;
        const sockets = entries.filter((e) => e.endsWith('.sock')).map((e) => join(folder, e));
        if ((await Promise.all(sockets.map(socketAlive))).some(Boolean)) continue;
        for (const entry of entries) await unlink(join(folder, entry));
        await rmdir(folder);
        removed.push(folder);
      } catch {
        // Changed under us (a window starting there, another sweeper): leave it.
      }
    }
    return removed;
  }

  async start(): Promise<void> {
    try {
      await this.listen();
    } catch (err) {
      // Another window's sweep removed the folder between our mkdir and listen: once more.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.listen();
    }
    void SecretPeers.sweepStale(this.dir).catch(() => undefined);
  }

  private async listen(): Promise<void> {
    // Checked again on every listen: a sweep may have removed it since, and someone else may have made it then.
    ensurePrivateFolder(this.dir);
    const server = createServer((socket) => {
      let buffer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          void this.receive(line);
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    server.unref();
    this.server = server;
  }

  get(key: string): Thenable<string | undefined> {
    return this.inner.get(key);
  }

  // Peers are told while the local write is under way, not after: code-server's SecretStorage sometimes takes
  // over a second to confirm a write, and the other windows need not wait for that.
  async store(key: string, value: string): Promise<void> {
    const written = this.inner.store(key, value);
    this.tellPeers({ key, value });
    await written;
  }

  async delete(key: string): Promise<void> {
    const deleted = this.inner.delete(key);
    this.tellPeers({ key, value: null });
    await deleted;
  }

  dispose(): void {
    this.server?.close();
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already gone
    }
  }

  private async receive(line: string): Promise<void> {
    let update: SecretUpdate;
    try {
      update = JSON.parse(line) as SecretUpdate;
    } catch {
      return;
    }
    if (typeof update.key !== 'string' || !update.key.startsWith('cmdop.')) return;
    // Written locally only: the sender already told every peer.
    if (update.value === null) {
      if ((await this.inner.get(update.key)) !== undefined) await this.inner.delete(update.key);
    } else if (typeof update.value === 'string' && (await this.inner.get(update.key)) !== update.value) {
      await this.inner.store(update.key, update.value);
    }
  }

  private tellPeers(update: SecretUpdate): void {
    if (!this.server) return;
    let peers: string[];
    try {
      peers = readdirSync(this.dir)
        .filter((f) => f.endsWith('.sock'))
        .map((f) => join(this.dir, f));
    } catch {
      return;
    }
    const line = `${JSON.stringify(update)}\n`;
    for (const peer of peers) {
      if (peer === this.socketPath) continue;
      const socket = createConnection(peer);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // A window that closed without cleaning up: forget its socket.
        if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') {
          try {
            unlinkSync(peer);
          } catch {
            // someone else removed it
          }
        } else this.log(`could not reach another window: ${err.code ?? err.message}`);
      });
      socket.end(line);
    }
  }
}
