import { constants } from 'node:fs';
import { cp, lstat, mkdir, open, readdir, realpath, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { entryOf, type StreamFileEntry } from './fileEntries';
import { insideHome, PathRefusedError, type HomeScope } from './homePaths';

/** The most one FileRead answers: far under the relay's 16 MiB send limit; longer reads come back short (is_truncated). */
export const MAX_READ_CHUNK_BYTES = 8 * 1024 * 1024;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 5000;

function refuse(message: string): never {
  throw new PathRefusedError(message);
}

function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent + sep);
}

export async function listDirectory(
  scope: HomeScope,
  req: { path: string; include_hidden: boolean; page_size: number; page_token: string },
) {
  const path = await insideHome(scope, req.path, true);
  const offset = req.page_token ? Number(req.page_token) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    refuse(`invalid page_token "${req.page_token.slice(0, 40)}": pass the next_page_token of the previous page`);
  if (req.page_size < 0) refuse('page_size must not be negative');
  const size = Math.min(req.page_size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const names = (await readdir(path)).filter((name) => req.include_hidden || !name.startsWith('.')).sort();
  const page = names.slice(offset, offset + size);
  // A name removed between readdir and lstat is left out rather than failing the page.
  const entries = (await Promise.all(page.map((name) => entryOf(join(path, name)).catch(() => undefined)))).filter(
    (e): e is StreamFileEntry => e !== undefined,
  );
  const end = offset + page.length;
  return {
    current_path: path,
    entries,
    next_page_token: end < names.length ? String(end) : '',
    total_count: names.length,
    has_more: end < names.length,
  };
}

export async function readFileRange(scope: HomeScope, req: { path: string; offset: number; length: number }) {
  const path = await insideHome(scope, req.path, true);
  if (req.offset < 0 || req.length < 0) refuse(`offset and length must not be negative (got ${req.offset}, ${req.length})`);
  const entry = await entryOf(await realpath(path));
  if (entry.type === 'STREAM_DIRECTORY') refuse(`is a directory: ${req.path}; list it instead`);
  const handle = await open(path, constants.O_RDONLY);
  try {
    const total = (await handle.stat()).size;
    const start = Math.min(req.offset, total);
    const wanted = Math.min(req.length || total - start, total - start, MAX_READ_CHUNK_BYTES);
    const content = Buffer.allocUnsafe(wanted);
    let got = 0;
    while (got < wanted) {
      const { bytesRead } = await handle.read(content, got, wanted - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const requestedEnd = req.length ? Math.min(start + req.length, total) : total;
    return {
      content: content.subarray(0, got),
      encoding: 'binary',
      total_size: total,
      mime_type: entry.mime_type,
      is_truncated: start + got < requestedEnd,
    };
  } finally {
    await handle.close();
  }
}

export async function writeFileWhole(
  scope: HomeScope,
  req: { path: string; content: Buffer; overwrite: boolean; create_parents: boolean },
) {
  const path = await insideHome(scope, req.path, true);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) refuse(`is a directory: ${req.path}`);
  if (existing && !req.overwrite) refuse(`already exists: ${req.path}; set overwrite to replace it`);
  if (req.create_parents) await mkdir(dirname(path), { recursive: true });
  else if (!(await stat(dirname(path)).catch(() => undefined))?.isDirectory()) {
    refuse(`no such folder: ${dirname(path)}; create it first or set create_parents`);
  }
  await writeFile(path, req.content, { flag: req.overwrite ? 'w' : 'wx' });
  return { bytes_written: req.content.length, entry: await entryOf(path) };
}

export async function fileInfo(scope: HomeScope, req: { path: string }) {
  return { entry: await entryOf(await insideHome(scope, req.path, false)) };
}

export async function createDirectory(scope: HomeScope, req: { path: string; create_parents: boolean }) {
  const path = await insideHome(scope, req.path, false);
  await mkdir(path, { recursive: req.create_parents });
  return { entry: await entryOf(path) };
}

/** Files and folders under (and including) a path, not following symlinks. */
async function countTree(path: string): Promise<{ files: number; dirs: number; bytes: number }> {
  const st = await lstat(path);
  if (!st.isDirectory()) return { files: 1, dirs: 0, bytes: st.isFile() ? st.size : 0 };
  const total = { files: 0, dirs: 1, bytes: 0 };
  for (const name of await readdir(path)) {
    const part = await countTree(join(path, name));
    total.files += part.files;
    total.dirs += part.dirs;
    total.bytes += part.bytes;
  }
  return total;
}

export async function deletePath(scope: HomeScope, req: { path: string; recursive: boolean }) {
  const path = await insideHome(scope, req.path, false);
  if (path === scope.home) refuse(`permission denied: ${scope.hostname}'s home folder itself cannot be deleted`);
  const st = await lstat(path);
  if (!st.isDirectory()) {
    await unlink(path);
    return { deleted_path: path, files_deleted: 1, dirs_deleted: 0 };
  }
  if (!req.recursive) {
    await rmdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST')
        refuse(`folder not empty: ${req.path}; set recursive to delete it with its contents`);
      throw err;
    });
    return { deleted_path: path, files_deleted: 0, dirs_deleted: 1 };
  }
  const counted = await countTree(path);
  await rm(path, { recursive: true });
  return { deleted_path: path, files_deleted: counted.files, dirs_deleted: counted.dirs };
}

async function checkedPair(scope: HomeScope, req: { source_path: string; destination_path: string }, followSource: boolean) {
  const source = await insideHome(scope, req.source_path, followSource);
  const destination = await insideHome(scope, req.destination_path, true);
  if (source === scope.home) refuse(`permission denied: ${scope.hostname}'s home folder itself cannot be moved or copied`);
  await lstat(source);
  if (isInside(source, destination)) refuse(`cannot put ${req.source_path} inside itself (${req.destination_path})`);
  const existing = await lstat(destination).catch(() => undefined);
  return { source, destination, existing };
}

export async function movePath(scope: HomeScope, req: { source_path: string; destination_path: string; overwrite: boolean }) {
  const { source, destination, existing } = await checkedPair(scope, req, false);
  if (existing && !req.overwrite) refuse(`already exists: ${req.destination_path}; set overwrite to replace it`);
  if (existing) await rm(destination, { recursive: true });
  await rename(source, destination);
  return { entry: await entryOf(destination) };
}

export async function copyPath(
  scope: HomeScope,
  req: { source_path: string; destination_path: string; overwrite: boolean; recursive: boolean },
) {
  const pair = await checkedPair(scope, req, true);
  // The checked link target is copied, not the link (a relative link would dangle at its new place).
  const source = await realpath(pair.source);
  const isFolder = (await lstat(source)).isDirectory();
  if (isFolder && !req.recursive) refuse(`is a directory: ${req.source_path}; set recursive to copy a folder`);
  if (pair.existing && !req.overwrite) refuse(`already exists: ${req.destination_path}; set overwrite to replace it`);
  const { bytes } = await countTree(source);
  // Links inside a copied folder stay links as written: their contents are never read from outside the home.
  await cp(source, pair.destination, { recursive: isFolder, force: req.overwrite, errorOnExist: !req.overwrite, verbatimSymlinks: true });
  return { entry: await entryOf(pair.destination), bytes_copied: bytes };
}

/** An fs failure as the one-line text an agent answers in-band; refusals keep their own message. */
export function failureText(err: unknown, what: string): string {
  if (err instanceof PathRefusedError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const at = e.path ?? what;
  switch (e.code) {
    case 'ENOENT':
      return `no such file or folder: ${at}`;
    case 'EEXIST':
      return `already exists: ${at}`;
    case 'ENOTDIR':
      return `not a directory: ${at}`;
    case 'EISDIR':
      return `is a directory: ${at}`;
    case 'ENOTEMPTY':
      return `folder not empty: ${at}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${at}`;
    default:
      return `${what}: ${e.message ?? String(err)}`;
  }
}
