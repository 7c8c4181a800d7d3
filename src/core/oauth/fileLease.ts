import { lstatSync, renameSync, unlinkSync } from 'node:fs';
import { readRegularFileSync, writeNewFileSync } from '../windows/regularFile';

/** A lease or rotation list is a few hundred bytes; anything bigger was not written by a window. */
const MAX_LEASE_BYTES = 64 * 1024;

/**
 * Elects the one window that refreshes, with a lock file in a folder every window shares: creating a file
 * with O_EXCL is atomic, so exactly one claimant wins. A lock older than its lease (a window that died
 * mid-refresh) is broken. Holds no secret. Nothing is written or read through a symlink, and a FIFO at one of
 * its paths is never waited on.
 */
export class FileLease {
  constructor(private readonly path: string) {}

  async claim(owner: string, now: number, leaseMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeNewFileSync(this.path, JSON.stringify({ owner, until: now + leaseMs }));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return true; // no shared folder: refresh alone, as before
        const held = this.read();
        if (held && held.until > now) return held.owner === owner;
        // Unreadable: another window is writing it right now, unless it was left half-written long ago.
        if (!held && this.ageMs() < leaseMs) return false;
        this.remove();
      }
    }
    return false;
  }

  /**
   * Remembers that a refresh token was used up, so a window whose copy of the session has not caught up yet
   * does not send it again (a rotating IdP revokes the whole grant when a used refresh token comes back).
   * Only fingerprints are kept, never tokens.
   */
  async markRotated(fingerprint: string): Promise<void> {
    const recent = [fingerprint, ...this.rotated().filter((f) => f !== fingerprint)].slice(0, 16);
    const tmp = `${this.path}.rotated.${process.pid}`;
    // Left by an earlier process with this pid (or planted): removed, not written through.
    this.remove(tmp);
    writeNewFileSync(tmp, JSON.stringify(recent));
    renameSync(tmp, `${this.path}.rotated`);
  }

  async wasRotated(fingerprint: string): Promise<boolean> {
    return this.rotated().includes(fingerprint);
  }

  private rotated(): string[] {
    try {
      const list: unknown = JSON.parse(this.readText(`${this.path}.rotated`));
      return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
    } catch {
      return [];
    }
  }

  async release(owner: string): Promise<void> {
    if (this.read()?.owner === owner) this.remove();
  }

  private read(): { owner: string; until: number } | undefined {
    try {
      const lease = JSON.parse(this.readText(this.path)) as { owner: string; until: number };
      return typeof lease.owner === 'string' && typeof lease.until === 'number' ? lease : undefined;
    } catch {
      return undefined;
    }
  }

  private ageMs(): number {
    try {
      return Date.now() - lstatSync(this.path).mtimeMs;
    } catch {
      return Infinity;
    }
  }

  private readText(path: string): string {
    return readRegularFileSync(path, { followLinks: false, maxBytes: MAX_LEASE_BYTES });
  }

  private remove(path = this.path): void {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  }
}
