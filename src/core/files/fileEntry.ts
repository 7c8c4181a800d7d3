/** `StreamFileEntry` as proto-loader hands it over (keepCase, longs and enums as strings). */
export interface WireFileEntry {
  name: string;
  path: string;
  type: 'STREAM_FILE_TYPE_UNSPECIFIED' | 'STREAM_FILE' | 'STREAM_DIRECTORY' | 'STREAM_SYMLINK' | string;
  size: string | number;
  permissions: string;
  owner?: string;
  modified_at?: { seconds: string | number; nanos: number } | null;
  is_hidden?: boolean;
  is_readable?: boolean;
  is_writable?: boolean;
  mime_type?: string;
  symlink_target?: string;
}

/** VS Code's FileType and FilePermission numbers (fixed by its API), kept here so core stays free of vscode. */
export const FileKind = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 } as const;
export const READONLY_PERMISSION = 1;

export interface MachineFileStat {
  type: number;
  ctime: number;
  mtime: number;
  size: number;
  /** READONLY_PERMISSION when the user may not change the file (a Guest, or the machine says not writable). */
  permissions?: number;
}

export function entryKind(entry: Pick<WireFileEntry, 'type'>): number {
  switch (entry.type) {
    case 'STREAM_DIRECTORY':
      return FileKind.Directory;
    case 'STREAM_SYMLINK':
      return FileKind.SymbolicLink;
    case 'STREAM_FILE':
      return FileKind.File;
    default:
      return FileKind.Unknown;
  }
}

export function modifiedMs(entry: Pick<WireFileEntry, 'modified_at'>): number {
  const at = entry.modified_at;
  if (!at) return 0;
  return Number(at.seconds) * 1000 + Math.floor((at.nanos ?? 0) / 1e6);
}

/**
 * The stat VS Code gets for an entry. A symlink is `SymbolicLink | <its target's type>` (`targetKind`,
 * looked up by the caller; Unknown when it dangles or points where the machine does not serve).
 */
export function toFileStat(entry: WireFileEntry, options: { readonly: boolean; targetKind?: number }): MachineFileStat {
  const kind = entryKind(entry);
  const type = kind === FileKind.SymbolicLink ? FileKind.SymbolicLink | (options.targetKind ?? FileKind.Unknown) : kind;
  const mtime = modifiedMs(entry);
  const stat: MachineFileStat = { type, ctime: mtime, mtime, size: Number(entry.size) || 0 };
  if (options.readonly || entry.is_writable === false) stat.permissions = READONLY_PERMISSION;
  return stat;
}

/** What changes when the file changes: compared between polls. */
export function entrySignature(entry: WireFileEntry): string {
  return `${entry.type}|${entry.size}|${modifiedMs(entry)}|${entry.symlink_target ?? ''}`;
}
