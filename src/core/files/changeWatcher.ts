import { Emitter } from '../emitter';
import { PresencePoller, type PollTimers } from '../fleet/presence';

export type ChangeKind = 'created' | 'changed' | 'deleted';
export interface ObservedChange {
  key: string;
  kind: ChangeKind;
}

/** What a poll sees at a key: a folder's children or a file itself, each key with its signature. */
export interface Snapshot {
  kind: 'dir' | 'file';
  entries: Map<string, string>;
}

/** Fetches the snapshot at a key; undefined when it is gone. Throws when the machine cannot be asked (kept as is). */
export type SnapshotFetcher = (key: string, kind: Snapshot['kind'] | undefined) => Promise<Snapshot | undefined>;

interface Watched {
  /** Explicit watch() calls holding it. */
  refs: number;
  recursive: boolean;
  /** Last time it was listed or read (folders shown in the explorer, files open in an editor). */
  seenAt: number;
  last?: Snapshot;
  /** The last poll could not ask the machine (offline): its coming back is announced. */
  unreachable?: boolean;
}

/** Poll every 2 s: a change is seen well within 5 s while the window is focused. */
export const CHANGE_POLL_MS = 2000;
/** Folders shown and files open under a recursive watch that are polled, the most recently seen first. */
export const SHOWN_LIMIT = 40;

/**
 * Turns polling into file change events, polling only what is watched or shown: watched keys (VS Code's
 * watch()), plus the folders listed and files read under a recursive watch (the explorer's expanded folders,
 * open editors), the most recent SHOWN_LIMIT of them. Paused while the window is unfocused or nothing is watched.
 * Keys are URI strings; a key is under a root when it extends the root's key with `/`.
 */
export class ChangeWatcher {
  private readonly watched = new Map<string, Watched>();
  private readonly changes = new Emitter<ObservedChange[]>();
  readonly onDidChange = this.changes.event;
  private readonly poller: PresencePoller;
  private clock = 0;

  constructor(
    private readonly fetch: SnapshotFetcher,
    intervalMs = CHANGE_POLL_MS,
    timers?: PollTimers,
  ) {
    this.poller = new PresencePoller(() => this.pollOnce(), intervalMs, timers);
    this.poller.setVisible(false);
  }

  setFocused(focused: boolean): void {
    this.poller.setFocused(focused);
  }

  get active(): boolean {
    return this.poller.active;
  }

  watch(key: string, recursive: boolean): { dispose(): void } {
    const entry = this.entry(key);
    entry.refs += 1;
    entry.recursive ||= recursive;
    this.poller.setVisible(true);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        entry.refs -= 1;
        if (entry.refs === 0) this.watched.delete(key);
        this.poller.setVisible(this.watched.size > 0);
      },
    };
  }

  /** Whether seen() would poll this key: it is watched, or under a recursive watch. */
  covers(key: string): boolean {
    return this.watched.has(key) || this.coveredByRecursiveWatch(key);
  }

  /** The explorer listed a folder or an editor read a file: polled from now on if a recursive watch covers it. */
  seen(key: string, snapshot: Snapshot): void {
    const existing = this.watched.get(key);
    if (!existing && !this.coveredByRecursiveWatch(key)) return;
    const entry = existing ?? this.entry(key);
    entry.seenAt = ++this.clock;
    entry.last = snapshot;
    this.trimShown();
  }

  /** The editor of a file was closed: no longer polled unless watched. */
  forget(key: string): void {
    if (this.watched.get(key)?.refs === 0) this.watched.delete(key);
  }

  /** Keys polled now. */
  get polled(): string[] {
    return [...this.watched.keys()];
  }

  /** One round: every polled key fetched, differences announced once, in one event. */
  async pollOnce(): Promise<void> {
    const found: ObservedChange[] = [];
    await Promise.all(
      [...this.watched].map(async ([key, entry]) => {
        let now: Snapshot | undefined;
        try {
          now = await this.fetch(key, entry.last?.kind);
        } catch {
          entry.unreachable = true; // compared again once it answers
          return;
        }
        if (this.watched.get(key) !== entry) return;
        // Back after being unreachable: what showed an error is read again even if nothing changed meanwhile.
        if (entry.unreachable) found.push({ key, kind: 'changed' });
        entry.unreachable = false;
        const before = entry.last;
        // Gone is kept as an empty snapshot, so it coming back is seen as created.
        entry.last = now ?? { kind: before?.kind ?? 'file', entries: new Map() };
        if (before) found.push(...diffSnapshots(key, before, now));
      }),
    );
    if (found.length) this.changes.fire(found);
  }

  dispose(): void {
    this.poller.dispose();
    this.watched.clear();
  }

  private entry(key: string): Watched {
    let entry = this.watched.get(key);
    if (!entry) this.watched.set(key, (entry = { refs: 0, recursive: false, seenAt: ++this.clock }));
    return entry;
  }

  private coveredByRecursiveWatch(key: string): boolean {
    for (const [root, entry] of this.watched)
      if (entry.recursive && entry.refs > 0 && key.startsWith(`${root.replace(/\/$/, '')}/`)) return true;
    return false;
  }

  private trimShown(): void {
    const shown = [...this.watched].filter(([, e]) => e.refs === 0).sort((a, b) => b[1].seenAt - a[1].seenAt);
    for (const [key] of shown.slice(SHOWN_LIMIT)) this.watched.delete(key);
  }
}

/** Children created, changed or deleted; a watched file that appeared, changed or went away. */
export function diffSnapshots(key: string, before: Snapshot, after: Snapshot | undefined): ObservedChange[] {
  const changes: ObservedChange[] = [];
  if (!after && before.kind === 'dir' && before.entries.size > 0) changes.push({ key, kind: 'deleted' });
  for (const [child, signature] of after?.entries ?? []) {
    const old = before.entries.get(child);
    if (old === undefined) changes.push({ key: child, kind: 'created' });
    else if (old !== signature) changes.push({ key: child, kind: 'changed' });
  }
  for (const child of before.entries.keys()) if (!after?.entries.has(child)) changes.push({ key: child, kind: 'deleted' });
  return changes;
}
