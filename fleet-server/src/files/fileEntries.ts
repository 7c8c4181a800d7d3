import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, extname } from 'node:path';
import { toTimestamp, type Timestamp } from '../relay/messages';

/** `StreamFileEntry` as the handlers answer it (proto field names). */
export interface StreamFileEntry {
  name: string;
  path: string;
  type: 'STREAM_FILE' | 'STREAM_DIRECTORY' | 'STREAM_SYMLINK' | 'STREAM_FILE_TYPE_UNSPECIFIED';
  size: number;
  permissions: string;
  owner: string;
  modified_at: Timestamp | null;
  is_hidden: boolean;
  is_readable: boolean;
  is_writable: boolean;
  mime_type: string;
  symlink_target: string;
  is_system: boolean;
}

const MIME_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.conf': 'text/plain',
  '.json': 'application/json',
  '.png': 'image/png',
  '.sh': 'text/x-shellscript',
  '.md': 'text/markdown',
};

const OWN_UID = process.getuid?.();
const OWN_NAME = userInfo().username;

/** `rwxr-xr-x` from a mode. */
export function permissionText(mode: number): string {
  return [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1].map((bit, i) => (mode & bit ? 'rwx'[i % 3] : '-')).join('');
}

function typeOf(st: Stats): StreamFileEntry['type'] {
  if (st.isSymbolicLink()) return 'STREAM_SYMLINK';
  if (st.isDirectory()) return 'STREAM_DIRECTORY';
  return st.isFile() ? 'STREAM_FILE' : 'STREAM_FILE_TYPE_UNSPECIFIED';
}

/** The entry of a path itself (a symlink is described as a link, with its target as written). */
export async function entryOf(path: string): Promise<StreamFileEntry> {
  const st = await lstat(path);
  const name = basename(path);
  const mine = st.uid === OWN_UID;
  const type = typeOf(st);
  return {
    name,
    path,
    type,
    size: st.size,
    permissions: permissionText(st.mode),
    owner: mine ? OWN_NAME : String(st.uid),
    modified_at: toTimestamp(st.mtime),
    is_hidden: name.startsWith('.'),
    is_readable: Boolean(st.mode & (mine ? 0o400 : 0o004)),
    is_writable: Boolean(st.mode & (mine ? 0o200 : 0o002)),
    mime_type: type === 'STREAM_DIRECTORY' ? 'inode/directory' : (MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream'),
    symlink_target: type === 'STREAM_SYMLINK' ? await readlink(path) : '',
    is_system: false,
  };
}
