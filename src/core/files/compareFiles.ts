import type { CommandExit, CommandRunner, MachineResult } from '../fanOut/fanOut';
import { compareHostnames, type Grouping, groupOutputs, type OutputGroup } from '../fanOut/grouping';
import type { MachineFileError } from '../errors';
import { readWholeFile } from './chunkedReader';
import type { MachineFiles } from './machineFiles';
import { baseName } from './machineUri';

/** The same path read on each machine: the largest file compared (bigger ones are told apart, not grouped). */
export const COMPARE_LIMIT_BYTES = 1024 * 1024;
/** MachineResult.detail of a machine that has no such file. */
export const MISSING_DETAIL = 'no such file';

/**
 * Reads one file on each machine for a fan-out (the "command" is the path, `~/…` taken from each machine's
 * home): the content is the machine's output, so the Runs view groups identical files like identical outputs.
 */
export class FileReadRunner implements CommandRunner {
  constructor(private readonly filesOf: (hostname: string) => MachineFiles | Promise<MachineFiles>) {}

  async run(hostname: string, path: string, io: { signal: AbortSignal; onOutput(data: Uint8Array): void }): Promise<CommandExit> {
    const files = await this.filesOf(hostname);
    const absolute = path.startsWith('~') ? `${await files.home()}${path.slice(1)}` : path;
    try {
      const content = await readWholeFile((offset, length) => files.read(absolute, offset, length), `${hostname}:${absolute}`, {
        signal: io.signal,
      });
      io.onOutput(content);
      return { exitCode: 0 };
    } catch (err) {
      if ((err as MachineFileError).kind === 'FileNotFound') throw new Error(MISSING_DETAIL, { cause: err });
      throw err;
    }
  }
}

export interface FileComparison {
  grouping: Grouping;
  /** Machines that have no such file. */
  missing: string[];
  /** Machines that could not be read (offline, refused, …) with why. */
  failed: { hostname: string; detail: string }[];
  /** The first machine whose file differs from the majority's: shown in a diff. */
  outlier?: string;
}

/** Groups identical files (the Runs view's grouping) and tells apart the machines where it is missing or failed. */
export function compareResults(results: MachineResult[]): FileComparison {
  const read = results.filter((r) => r.outcome === 'ok');
  const grouping = groupOutputs(read);
  const missing = results
    .filter((r) => r.outcome === 'error' && r.detail === MISSING_DETAIL)
    .map((r) => r.hostname)
    .sort(compareHostnames);
  const failed = results
    .filter((r) => r.outcome !== 'ok' && !(r.outcome === 'error' && r.detail === MISSING_DETAIL))
    .map((r) => ({ hostname: r.hostname, detail: r.detail ?? r.outcome }))
    .sort((a, b) => compareHostnames(a.hostname, b.hostname));
  const reference = grouping.majority ?? grouping.groups[0];
  const outlier = grouping.groups.find((g) => g !== reference)?.hostnames[0];
  return { grouping, missing, failed, outlier };
}

/** "18 machines have the same nginx.conf; web-3 differs; missing on db-2". */
export function comparisonSummary(path: string, comparison: FileComparison): string {
  const name = baseName(path);
  const { groups } = comparison.grouping;
  const parts: string[] = [];
  if (groups.length === 1)
    parts.push(
      `${machines(groups[0])} ${groups[0].hostnames.length === 1 ? 'has' : 'have'} ${name}${groups[0].hostnames.length > 1 ? ', all the same' : ''}`,
    );
  else if (groups.length > 1) {
    const [first, ...rest] = groups;
    parts.push(`${machines(first)} ${first.hostnames.length === 1 ? 'has' : 'have the same'} ${name}`);
    parts.push(`${rest.length} other version${rest.length === 1 ? '' : 's'} on ${rest.map((g) => listHosts(g.hostnames)).join('; ')}`);
  }
  if (comparison.missing.length) parts.push(`missing on ${listHosts(comparison.missing)}`);
  if (comparison.failed.length) parts.push(`not read on ${listHosts(comparison.failed.map((f) => f.hostname))}`);
  return parts.length ? parts.join('; ') : `No machine has ${name}`;
}

function machines(group: OutputGroup): string {
  return group.hostnames.length === 1 ? group.hostnames[0] : `${group.hostnames.length} machines`;
}

function listHosts(hostnames: string[]): string {
  return hostnames.length > 5 ? `${hostnames.slice(0, 5).join(', ')} and ${hostnames.length - 5} more` : hostnames.join(', ');
}
