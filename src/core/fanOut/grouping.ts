import type { MachineResult } from './fanOut';

export interface OutputGroup {
  /** The output these machines printed, once. */
  output: string;
  hostnames: string[];
  /** Exit codes seen in the group (same output, possibly different codes). */
  exitCodes: number[];
}

export interface Grouping {
  /** Biggest group first; ties by first hostname. */
  groups: OutputGroup[];
  /** The group most machines share, when at least two share it. */
  majority?: OutputGroup;
}

/** Machines that printed exactly the same text (trailing whitespace ignored) share a group. */
export function groupOutputs(results: MachineResult[]): Grouping {
  const byText = new Map<string, OutputGroup>();
  for (const r of results) {
    if (r.outcome === 'skipped' || r.outcome === 'cancelled') continue;
    const key = normalize(r.output);
    let group = byText.get(key);
    if (!group) byText.set(key, (group = { output: r.output, hostnames: [], exitCodes: [] }));
    group.hostnames.push(r.hostname);
    if (r.exitCode !== undefined && !group.exitCodes.includes(r.exitCode)) group.exitCodes.push(r.exitCode);
  }
  const groups = [...byText.values()];
  for (const g of groups) g.hostnames.sort(compareHostnames);
  groups.sort((a, b) => b.hostnames.length - a.hostnames.length || compareHostnames(a.hostnames[0], b.hostnames[0]));
  const majority =
    groups[0] && groups[0].hostnames.length >= 2 && groups[0].hostnames.length > (groups[1]?.hostnames.length ?? 0) ? groups[0] : undefined;
  return { groups, majority };
}

function normalize(text: string): string {
  return text.replace(/[ \t]+$/gm, '').trimEnd();
}

/** node-2 before node-10. */
export function compareHostnames(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}
