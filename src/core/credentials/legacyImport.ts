import { homedir } from 'node:os';
import { join } from 'node:path';
import { looksLikeApiKey } from './credential';
import { LegacyFileError } from '../errors';
import type { FleetKeyStore } from './fleetKeys';
import { NotARegularFileError, readRegularFileSync } from '../windows/regularFile';
import type { StateStore } from '../windows/storage';

export const LEGACY_FILE_NAME = 'ssh_workspaces.json';
const DONE_KEY = 'cmdop.legacyImport';
/** The CLI's file lists a few fleets; a bigger one is not it. */
const MAX_LEGACY_BYTES = 1024 * 1024;

export interface LegacyWorkspace {
  id: string;
  name: string;
  apiKey: string;
  server?: string;
}

export interface LegacyFile {
  path: string;
  workspaces: LegacyWorkspace[];
  active?: string;
}

/** Where the CMDOP CLI kept its config, most specific first. */
export function legacyCandidates(env: Readonly<Record<string, string | undefined>>, home = homedir()): string[] {
  const dirs = [env.CMDOP_CONFIG_DIR, join(env.XDG_CONFIG_HOME || join(home, '.config'), 'cmdop'), join(home, '.cmdop')].filter(
    (d): d is string => !!d,
  );
  return dirs.map((d) => join(d, LEGACY_FILE_NAME));
}

/** Reads the old plaintext file; tolerant of the shapes the CLI wrote (a list or a map of workspaces). */
export function parseLegacyFile(path: string, text: string): LegacyFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LegacyFileError(`${path} is not valid JSON, so its keys were not imported. Fix or delete the file; it was left untouched.`);
  }
  const root = (data ?? {}) as Record<string, unknown>;
  const raw = root.workspaces ?? root.fleets ?? data;
  const entries: [string | undefined, unknown][] = Array.isArray(raw)
    ? raw.map((v) => [undefined, v])
    : Object.entries((raw ?? {}) as Record<string, unknown>);
  const workspaces: LegacyWorkspace[] = [];
  for (const [mapName, value] of entries) {
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    const apiKey = str(v.api_key) ?? str(v.apiKey) ?? str(v.key);
    const name = str(v.name) ?? mapName;
    const id = str(v.workspace_id) ?? str(v.id) ?? name;
    if (!apiKey || !looksLikeApiKey(apiKey) || !id || !name) continue;
    workspaces.push({ id, name, apiKey, server: str(v.server) });
  }
  if (workspaces.length === 0) {
    throw new LegacyFileError(`${path} holds no usable fleet API keys (each needs a name and a "cmdop_…" api_key). It was left untouched.`);
  }
  return { path, workspaces, active: str(root.active) ?? str(root.active_workspace) ?? str(root.current) };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export interface LegacyImportDeps {
  state: StateStore;
  keys: FleetKeyStore;
  candidates: string[];
  /** Asks the user once; false leaves everything as it was and is never asked again. */
  confirm(file: LegacyFile): Promise<boolean>;
  setActiveFleet(fleetId: string): Promise<void>;
  log(line: string): void;
}

/**
 * The plaintext ssh_workspaces.json is retired: its keys are copied into SecretStorage once, on consent,
 * and the file is never read again (it is left as it is; deleting it is the user's call).
 */
export class LegacyImporter {
  private running: Promise<{ fleetId: string; secret: string } | undefined> | undefined;
  /** Candidates already reported as not being a file, so the log says it once. */
  private readonly skipped = new Set<string>();

  constructor(private readonly deps: LegacyImportDeps) {}

  get done(): boolean {
    return this.deps.state.get<string>(DONE_KEY) !== undefined;
  }

  importOnce(): Promise<{ fleetId: string; secret: string } | undefined> {
    if (this.done) return Promise.resolve(undefined);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<{ fleetId: string; secret: string } | undefined> {
    const found = await this.firstExisting();
    if (!found) return undefined;
    let file: LegacyFile;
    try {
      file = parseLegacyFile(found.path, found.text);
    } catch (err) {
      await this.finish('unreadable');
      throw err;
    }
    if (!(await this.deps.confirm(file))) {
      await this.finish('declined');
      this.deps.log(`Legacy import declined; ${file.path} will not be offered again.`);
      return undefined;
    }
    for (const w of file.workspaces) {
      await this.deps.keys.save(
        {
          fleetId: w.id,
          fleetName: w.name,
          keyName: 'imported from ssh_workspaces.json',
          relay: w.server,
          addedAt: new Date().toISOString(),
        },
        w.apiKey,
      );
    }
    const active = file.workspaces.find((w) => w.name === file.active || w.id === file.active) ?? file.workspaces[0];
    await this.deps.setActiveFleet(active.id);
    await this.finish('imported');
    this.deps.log(`Imported ${file.workspaces.length} fleet key(s) from ${file.path} into SecretStorage; the file is not read again.`);
    return { fleetId: active.id, secret: active.apiKey };
  }

  private async firstExisting(): Promise<{ path: string; text: string } | undefined> {
    for (const path of this.deps.candidates) {
      try {
        // A symlink to the file is fine (dotfile managers make them); a FIFO or device is never opened or waited on.
        return { path, text: readRegularFileSync(path, { followLinks: true, maxBytes: MAX_LEGACY_BYTES }) };
      } catch (err) {
        if (err instanceof NotARegularFileError && !this.skipped.has(path)) {
          this.skipped.add(path);
          this.deps.log(`${err.message} Its keys were not imported: put the ${LEGACY_FILE_NAME} the CMDOP CLI wrote there, or remove it.`);
        }
        // Not there (or not a file): try the next place the CLI may have used.
      }
    }
    return undefined;
  }

  private finish(outcome: 'imported' | 'declined' | 'unreadable'): Thenable<void> {
    return this.deps.state.update(DONE_KEY, outcome);
  }
}
