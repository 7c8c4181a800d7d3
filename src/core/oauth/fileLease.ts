import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Elects the one window that refreshes, with a lock file in a folder every window shares: creating a file
 * with O_EXCL is atomic, so exactly one claimant wins. A lock older than its lease (a window that died
 * mid-refresh) is broken. Holds no secret.
 */
export class FileLease {
  constructor(private readonly path: string) {}

  async claim(owner: string, now: number, leaseMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ owner, until: now + leaseMs }));
        closeSync(fd);
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

  async release(owner: string): Promise<void> {
    if (this.read()?.owner === owner) this.remove();
  }

  private read(): { owner: string; until: number } | undefined {
    try {
      const lease = JSON.parse(readFileSync(this.path, 'utf8')) as { owner: string; until: number };
      return typeof lease.owner === 'string' && typeof lease.until === 'number' ? lease : undefined;
    } catch {
      return undefined;
    }
  }

  private ageMs(): number {
    try {
      return Date.now() - statSync(this.path).mtimeMs;
    } catch {
      return Infinity;
    }
  }

  private remove(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // gone already
    }
  }
}
