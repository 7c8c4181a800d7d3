import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats, writeSync } from 'node:fs';
import { CmdopError } from '../errors';

// Absent on Windows, where symlinks and FIFOs in these places are not a concern; 0 leaves the flag out.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A path that holds a FIFO, a device, a socket, a folder or (where refused) a symlink instead of a file. */
export class NotARegularFileError extends CmdopError {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file, so it was not read.`);
  }
}

export function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Reads a regular file without ever waiting on a FIFO or opening a device: the path is checked before it is
 * opened, opened non-blocking, and checked again on the open descriptor (it may have been swapped in between).
 * `followLinks: false` also refuses a symlink (O_NOFOLLOW), for files in folders other users could reach.
 */
export function readRegularFileSync(path: string, options: { followLinks: boolean; maxBytes: number }): string {
  const before = options.followLinks ? statSync(path) : lstatSync(path);
  if (!before.isFile()) throw new NotARegularFileError(path, kindOf(before));
  const fd = openSync(path, constants.O_RDONLY | O_NONBLOCK | (options.followLinks ? 0 : O_NOFOLLOW));
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new NotARegularFileError(path, kindOf(opened));
    if (opened.size > options.maxBytes) {
      throw new CmdopError(`${path} is ${opened.size} bytes, more than the ${options.maxBytes} it may hold, so it was not read.`);
    }
    const buffer = Buffer.alloc(opened.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a file that did not exist and writes it, never through a symlink: O_CREAT|O_EXCL fails on anything
 * already at the path (a planted symlink included), and O_NOFOLLOW says so twice. Throws EEXIST then.
 */
export function writeNewFileSync(path: string, text: string, mode = 0o600): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
