import type { Machine } from '../fleet/fleetApi';
import { globToRegExp, isGlob } from '../fanOut/hostGlob';
import { compareHostnames } from '../fanOut/grouping';

export interface UnmatchedName {
  /** The hostname or glob as given. */
  pattern: string;
  /** The real hostnames closest to it, best first (at most three). */
  closest: string[];
}

export interface Resolution {
  /** Every machine a hostname or glob named, each once, in hostname order. */
  matched: Machine[];
  /** Names and globs that match no machine of the fleet. */
  unmatched: UnmatchedName[];
}

/** Resolves hostnames (case-insensitive, exact) and globs against a fleet's machines. */
export function resolveMachines(machines: readonly Machine[], patterns: readonly string[]): Resolution {
  const matched = new Map<string, Machine>();
  const unmatched: UnmatchedName[] = [];
  for (const pattern of patterns) {
    const test = isGlob(pattern) ? globToRegExp(pattern) : undefined;
    const hits = machines.filter((m) => (test ? test.test(m.hostname) : m.hostname.toLowerCase() === pattern.toLowerCase()));
    if (hits.length === 0)
      unmatched.push({
        pattern,
        closest: closestNames(
          pattern,
          machines.map((m) => m.hostname),
        ),
      });
    for (const m of hits) matched.set(m.hostname, m);
  }
  return { matched: [...matched.values()].sort((a, b) => compareHostnames(a.hostname, b.hostname)), unmatched };
}

/**
 * The hostnames closest to `wanted` by edit distance (wildcards removed first, so `wbe-*` suggests
 * `web-1`), at most `limit`, only those close enough to be a plausible typo or the same family.
 */
export function closestNames(wanted: string, hostnames: readonly string[], limit = 3): string[] {
  const bare = wanted.replace(/[*?]|\[[^\]]*\]/g, '').toLowerCase();
  const scored = [...new Set(hostnames)].map((hostname) => {
    const name = hostname.toLowerCase();
    // A glob's literal part is compared with the same number of leading characters: `web-*` vs `web-1` is `web-` vs `web-`.
    const compared = isGlob(wanted) ? name.slice(0, Math.max(bare.length, 1)) : name;
    return { hostname, distance: editDistance(bare, compared) };
  });
  const allowed = Math.max(2, Math.ceil(bare.length / 2));
  return scored
    .filter((s) => s.distance <= allowed)
    .sort((a, b) => a.distance - b.distance || compareHostnames(a.hostname, b.hostname))
    .slice(0, limit)
    .map((s) => s.hostname);
}

/** Levenshtein distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
