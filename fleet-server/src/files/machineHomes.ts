import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLine, seedHome, type HomeSeedSpec } from './homeSeed';

/** A log that reaches this size is rotated to app.log.1, so a server left running does not fill the disk. */
const LOG_ROTATE_BYTES = 1024 * 1024;

/** Hostnames that are safe as one folder name as they are; any other is hashed (it can never start with "_"). */
const PLAIN_HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function folderName(hostname: string): string {
  if (PLAIN_HOSTNAME.test(hostname)) return hostname;
  return `_${createHash('sha256').update(hostname).digest('hex').slice(0, 24)}`;
}

/**
 * A folder this process made for itself (mkdtemp: a fresh name, mode 0700), checked before use: a directory,
 * not a symlink, owned by this user and closed to everyone else. Anything else is refused, not repaired.
 */
function createPrivateRoot(parent: string): string {
  const root = realpathSync(mkdtempSync(join(parent, 'cmdop-fleet-homes-')));
  const st = lstatSync(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new Error(`refusing machine homes folder ${root}: it must be a directory owned by this user with mode 0700`);
  }
  return root;
}

/**
 * Each stand-in machine's home folder, under one private folder per server: `<root>/<fleet>/<host>`. A home
 * is made and seeded the first time something needs it (a shell or a file call), never at server start, so
 * a thousand idle machines cost nothing.
 */
export class MachineHomes {
  readonly root: string;
  private readonly prepared = new Map<string, Promise<string>>();

  constructor(
    private readonly bulkFolders: (fleetId: string, hostname: string) => string | undefined,
    parent = tmpdir(),
  ) {
    this.root = createPrivateRoot(parent);
  }

  /** The home's absolute path (whether or not it exists yet). */
  homeOf(machine: { fleetId: string; hostname: string }): string {
    return join(this.root, machine.fleetId, folderName(machine.hostname));
  }

  /** The home, created and seeded once; concurrent first uses share the work. */
  prepare(machine: { fleetId: string; hostname: string }): Promise<string> {
    const home = this.homeOf(machine);
    let ready = this.prepared.get(home);
    if (!ready) {
      const spec: HomeSeedSpec = { ...machine, bulkFolder: this.bulkFolders(machine.fleetId, machine.hostname) };
      ready = this.create(home, spec);
      this.prepared.set(home, ready);
      ready.catch(() => this.prepared.delete(home));
    }
    return ready;
  }

  /** One line more in the log of every given machine whose home exists: the seeded log grows as a live one does. */
  async growLogs(machines: { fleetId: string; hostname: string }[], message: string): Promise<void> {
    const now = new Date();
    await Promise.all(
      machines
        .filter((m) => this.prepared.has(this.homeOf(m)))
        .map(async (m) => {
          const log = join(this.homeOf(m), 'log/app.log');
          const size = await stat(log).then(
            (s) => s.size,
            () => undefined,
          );
          // Deleted or moved by someone on the machine: theirs to decide, not recreated.
          if (size === undefined) return;
          if (size > LOG_ROTATE_BYTES) await rename(log, `${log}.1`);
          await appendFile(log, logLine(m.hostname, now, message));
        }),
    ).catch(() => undefined);
  }

  close(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private async create(home: string, spec: HomeSeedSpec): Promise<string> {
    const existed = await stat(home).then(
      () => true,
      () => false,
    );
    await mkdir(home, { recursive: true, mode: 0o700 });
    if (!existed) await seedHome(home, spec);
    return home;
  }
}
