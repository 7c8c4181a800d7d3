import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { CmdopError } from '../errors';

/** What decides whether a folder under a shared temp directory may hold this user's sockets and locks. */
export interface FolderFacts {
  isSymbolicLink: boolean;
  isDirectory: boolean;
  uid: number;
  mode: number;
}

export type FolderVerdict = { usable: true } | { usable: false; reason: string };

/** A folder under the temp directory that another local user made, opened up or pointed elsewhere. */
export class UnsafeFolderError extends CmdopError {}

/**
 * Whether a folder is private to `uid`: a real directory (not a symlink to one), owned by that user, with no
 * access for group or others. Anything else may be another local user's trap — a folder they own can hold their
 * socket, which would receive this user's secrets, or their symlink, which a write would follow.
 * `uid` undefined (Windows, no POSIX owners): the per-user temp directory is private already.
 */
export function judgeFolder(facts: FolderFacts, uid: number | undefined): FolderVerdict {
  if (facts.isSymbolicLink) return { usable: false, reason: 'is a symbolic link' };
  if (!facts.isDirectory) return { usable: false, reason: 'is not a folder' };
  if (uid === undefined) return { usable: true };
  if (facts.uid !== uid) return { usable: false, reason: `belongs to another user (uid ${facts.uid})` };
  const open = facts.mode & 0o077;
  if (open) return { usable: false, reason: `is open to other users (mode ${(facts.mode & 0o777).toString(8).padStart(4, '0')})` };
  return { usable: true };
}

export function folderFacts(stats: Stats): FolderFacts {
  return { isSymbolicLink: stats.isSymbolicLink(), isDirectory: stats.isDirectory(), uid: stats.uid, mode: stats.mode };
}

const currentUid = (): number | undefined => process.getuid?.();

/**
 * Creates `path` as a 0700 folder, or checks the one that is there (never following a symlink), and throws
 * UnsafeFolderError when it is not private to this user.
 */
export function ensurePrivateFolder(path: string, uid = currentUid()): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const verdict = judgeFolder(folderFacts(lstatSync(path)), uid);
  if (!verdict.usable) throw new UnsafeFolderError(`${path} ${verdict.reason}`);
}

/**
 * The first private folder among `base`, `base-1`, … `base-(tries-1)`: a name another user took is passed
 * over, and every window of this user walks the same list, so they still meet in the same folder. When every
 * name is taken, the error says which folder is in the way and what to do.
 */
export function choosePrivateFolder(base: string, uid = currentUid(), tries = 4): string {
  const refused: string[] = [];
  for (let i = 0; i < tries; i++) {
    const candidate = i === 0 ? base : `${base}-${i}`;
    try {
      ensurePrivateFolder(candidate, uid);
      return candidate;
    } catch (err) {
      if (!(err instanceof UnsafeFolderError)) throw err;
      refused.push(err.message);
    }
  }
  throw new UnsafeFolderError(
    `CMDOP found no private folder for talking to this user's other windows: ${refused.join('; ')}. ` +
      'Another user of this machine may have created them. Remove them (or set TMPDIR to a folder only you can write) and reload the window; until then, other windows see a sign-in only after a reload.',
  );
}
