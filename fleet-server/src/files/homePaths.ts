import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

/** A path the machine will not serve; its message goes back to the caller in-band, as an agent's would. */
export class PathRefusedError extends Error {}

export interface HomeScope {
  /** The home's real path (no symlink in it). */
  home: string;
  hostname: string;
}

function within(home: string, path: string): boolean {
  return path === home || path.startsWith(home + sep);
}

function outside(scope: HomeScope, requested: string, why = ''): PathRefusedError {
  return new PathRefusedError(
    `permission denied: ${requested}${why} is outside ${scope.hostname}'s home folder ${scope.home}; this machine serves only files under its home`,
  );
}

/** Where an existing path really is; a missing tail cannot hold a symlink, so the deepest existing ancestor decides. */
async function realLocation(path: string): Promise<string> {
  let tail = '';
  for (let at = path; ; at = dirname(at)) {
    try {
      return resolve(await realpath(at), tail);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw err;
      tail = tail ? `${at.slice(dirname(at).length + 1)}/${tail}` : at.slice(dirname(at).length + 1);
    }
  }
}

/**
 * The machine path of a request, refused unless it lies inside the home: `..` past the home, any other
 * absolute path, and a folder on the way that is a symlink pointing out are all refused. With `follow`, a
 * final symlink must point inside the home too (reads and writes go through it); without, the link itself is
 * meant (stat, delete, move). Empty means the home; a relative path is taken from the home.
 */
export async function insideHome(scope: HomeScope, requested: string, follow: boolean): Promise<string> {
  const text = requested.trim();
  if (text.includes('\0')) throw new PathRefusedError('invalid path: it contains a NUL byte');
  const path = text ? resolve(isAbsolute(text) ? text : resolve(scope.home, text)) : scope.home;
  if (!within(scope.home, path)) throw outside(scope, requested || path);
  if (path === scope.home) return path;
  if (!within(scope.home, await realLocation(dirname(path)))) throw outside(scope, requested, ' (through a symlinked folder)');
  if (!follow) return path;
  const link = await lstat(path).catch(() => undefined);
  if (!link?.isSymbolicLink()) return path;
  const target = await realpath(path).catch(() => undefined);
  if (target === undefined) {
    throw new PathRefusedError(`no such file: ${requested} is a symlink to ${await readlink(path)}, which does not exist`);
  }
  if (!within(scope.home, target)) throw outside(scope, requested, ` (a symlink to ${target})`);
  return path;
}
