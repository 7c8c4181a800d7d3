// Answers the runbook language server's fleet questions from the extension's authenticated client: one
// server-side search per hostname or glob (never a full listing of a large fleet), in-flight requests shared,
// answers cached for a short while, and presence re-checked only for the machines a runbook asked about.
import type { RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { Machine, MachinePage } from '../fleet/fleetApi';
import {
  FLEETS_REQUEST,
  GLOBS_REQUEST,
  MACHINES_REQUEST,
  SEARCH_REQUEST,
  type FleetFact,
  type FleetsAnswer,
  type GlobMatch,
  type GlobsAnswer,
  type MachineFact,
  type MachinesAnswer,
  GLOB_MATCH_LIMIT,
  globLiteral,
  globToRegExp,
} from './protocol';

export interface FleetFactsSource {
  fleets(): Promise<{ fleets: FleetFact[]; activeFleetId?: string }>;
  machines(fleetId: string, query: { page: number; pageSize: number; search?: string }): Promise<MachinePage>;
}

export interface FleetFactsOptions {
  /** How long an answer is reused (ms). */
  ttlMs?: number;
  /** Pages read for one hostname or glob before giving up (a search that matches thousands of machines). */
  maxPages?: number;
  pageSize?: number;
  now?: () => number;
}

const PARALLEL_SEARCHES = 4;

export const toFact = (m: Machine): MachineFact => ({
  hostname: m.hostname,
  name: m.name,
  os: m.os,
  online: m.is_online,
  lastSeen: m.last_seen,
});

/**
 * The extension's answers to the `cmdop/*` requests of the runbook server. `on` is the connection's onRequest:
 * each typed request is paired with its handler here, so the parameters and answers cannot drift apart.
 */
export function answerFactRequests(facts: () => FleetFacts, on: FactRequestRegistrar): void {
  on(FLEETS_REQUEST, () => facts().fleets());
  on(MACHINES_REQUEST, (p) => facts().machines(p.fleetId, p.hostnames));
  on(GLOBS_REQUEST, (p) => facts().globMatches(p.fleetId, p.patterns));
  on(SEARCH_REQUEST, (p) => facts().search(p.fleetId, p.text));
}

/** The slice of a JSON-RPC connection's onRequest that answerFactRequests needs. */
export interface FactRequestRegistrar {
  <R>(type: RequestType0<R, void>, handler: () => Promise<R>): unknown;
  <P, R>(type: RequestType<P, R, void>, handler: (params: P) => Promise<R>): unknown;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export class FleetFacts {
  private readonly ttl: number;
  private readonly maxPages: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  private fleetsCache: Cached<FleetsAnswer> | undefined;
  /** key `${fleetId}\n${hostname}` (lower case) → the machine or null. */
  private readonly hosts = new Map<string, Cached<MachineFact | null>>();
  private readonly globs = new Map<string, Cached<GlobMatch>>();
  /** Machines seen in any search result, so a later lookup or suggestion needs no request. */
  private readonly seen = new Map<string, Map<string, MachineFact>>();
  /** Number of REST requests made; read by tests and the benchmark. */
  requests = 0;

  constructor(
    private readonly source: FleetFactsSource,
    options: FleetFactsOptions = {},
  ) {
    this.ttl = options.ttlMs ?? 30_000;
    this.maxPages = options.maxPages ?? 5;
    this.pageSize = options.pageSize ?? 200;
    this.now = options.now ?? Date.now;
  }

  fleets(): Promise<FleetsAnswer> {
    return this.cached(
      () => this.fleetsCache,
      (c) => (this.fleetsCache = c),
      async () => {
        this.requests++;
        try {
          return await this.source.fleets();
        } catch (err) {
          return { fleets: [], problem: (err as Error).message };
        }
      },
    );
  }

  async machines(fleetId: string, hostnames: string[]): Promise<MachinesAnswer> {
    const unique = [...new Set(hostnames)];
    const facts = await limit(unique, (h) => this.machine(fleetId, h));
    const answer: MachinesAnswer = { machines: {}, suggestions: {} };
    const unknown: string[] = [];
    unique.forEach((h, i) => {
      answer.machines[h] = facts[i];
      if (!facts[i]) unknown.push(h);
    });
    const suggestions = await limit(unknown, (h) => this.closest(fleetId, h));
    unknown.forEach((h, i) => {
      if (suggestions[i]) answer.suggestions[h] = suggestions[i]!;
    });
    return answer;
  }

  async globMatches(fleetId: string, patterns: string[]): Promise<GlobsAnswer> {
    const unique = [...new Set(patterns)];
    const matches = await limit(unique, (p) => this.glob(fleetId, p));
    return Object.fromEntries(unique.map((p, i) => [p, matches[i]]));
  }

  /** Completion candidates: one page of the server's search for what was typed. */
  async search(fleetId: string, text: string): Promise<MachineFact[]> {
    const page = await this.page(fleetId, { page: 1, pageSize: 50, search: text.replace(/[*?].*$/, '') || undefined });
    return page.results.map(toFact);
  }

  /**
   * Re-reads the machines a runbook asked about; true when one of them came online, went offline or vanished.
   * Only those hostnames are fetched, so a poll stays cheap however large the fleet is.
   */
  async refreshPresence(): Promise<boolean> {
    const before = new Map<string, MachineFact | null>();
    for (const [key, entry] of this.hosts) before.set(key, await entry.value.catch(() => null));
    const globsBefore = new Map<string, string>();
    for (const [key, entry] of this.globs) globsBefore.set(key, describeGlob(await entry.value.catch(() => undefined)));
    this.hosts.clear();
    this.globs.clear();
    this.seen.clear();
    let changed = false;
    await limit([...before.keys()], async (key) => {
      const [fleetId, hostname] = key.split('\n');
      const fresh = await this.machine(fleetId, hostname).catch(() => null);
      const old = before.get(key);
      if (fresh?.online !== old?.online || !fresh !== !old) changed = true;
    });
    await limit([...globsBefore.keys()], async (key) => {
      const [fleetId, pattern] = key.split('\n');
      const fresh = await this.glob(fleetId, pattern).catch(() => undefined);
      if (describeGlob(fresh) !== globsBefore.get(key)) changed = true;
    });
    return changed;
  }

  private machine(fleetId: string, hostname: string): Promise<MachineFact | null> {
    const key = `${fleetId}\n${hostname.toLowerCase()}`;
    return this.cached(
      () => this.hosts.get(key),
      (c) => this.hosts.set(key, c),
      async () => {
        const seen = this.seen.get(fleetId)?.get(hostname.toLowerCase());
        if (seen) return seen;
        for (let page = 1; page <= this.maxPages; page++) {
          const result = await this.page(fleetId, { page, pageSize: this.pageSize, search: hostname });
          const hit = result.results.find((m) => m.hostname.toLowerCase() === hostname.toLowerCase());
          if (hit) return toFact(hit);
          if (!result.has_next) break;
        }
        return null;
      },
    );
  }

  private glob(fleetId: string, pattern: string): Promise<GlobMatch> {
    const key = `${fleetId}\n${pattern}`;
    return this.cached(
      () => this.globs.get(key),
      (c) => this.globs.set(key, c),
      async () => {
        const re = globToRegExp(pattern);
        const search = globLiteral(pattern) || undefined;
        const machines: MachineFact[] = [];
        for (let page = 1; ; page++) {
          const result = await this.page(fleetId, { page, pageSize: this.pageSize, search });
          for (const m of result.results) if (re.test(m.hostname)) machines.push(toFact(m));
          if (machines.length >= GLOB_MATCH_LIMIT) return { machines: machines.slice(0, GLOB_MATCH_LIMIT), truncated: true };
          if (!result.has_next) return { machines, truncated: false };
          // A pattern with a short literal in a huge fleet: stop reading and say so rather than list everything.
          if (page >= this.maxPages * 2) return { machines, truncated: true };
        }
      },
    );
  }

  /** The closest real hostname by edit distance, found by searching ever shorter prefixes of the typo. */
  private async closest(fleetId: string, hostname: string): Promise<string | undefined> {
    const wanted = hostname.toLowerCase();
    const lengths = [...new Set([wanted.length - 1, wanted.length - 2, Math.ceil(wanted.length / 2), 1])].filter((n) => n > 0);
    for (const n of lengths) {
      const page = await this.page(fleetId, { page: 1, pageSize: this.pageSize, search: wanted.slice(0, n) });
      const candidates = [...(this.seen.get(fleetId)?.values() ?? []), ...page.results.map(toFact)];
      let best: { hostname: string; distance: number } | undefined;
      for (const c of candidates) {
        const distance = editDistance(wanted, c.hostname.toLowerCase());
        if (!best || distance < best.distance) best = { hostname: c.hostname, distance };
      }
      if (best && best.distance <= Math.max(2, Math.floor(wanted.length / 3))) return best.hostname;
    }
    return undefined;
  }

  private async page(fleetId: string, query: { page: number; pageSize: number; search?: string }): Promise<MachinePage> {
    this.requests++;
    const result = await this.source.machines(fleetId, query);
    let seen = this.seen.get(fleetId);
    if (!seen) this.seen.set(fleetId, (seen = new Map()));
    for (const m of result.results) seen.set(m.hostname.toLowerCase(), toFact(m));
    return result;
  }

  private cached<T>(get: () => Cached<T> | undefined, set: (c: Cached<T>) => void, load: () => Promise<T>): Promise<T> {
    const hit = get();
    if (hit && this.now() - hit.at < this.ttl) return hit.value;
    const value = load();
    const entry = { at: this.now(), value };
    set(entry);
    // A failed lookup is not remembered: the next question asks again.
    value.catch(() => {
      if (get() === entry) set({ at: -Infinity, value });
    });
    return value;
  }
}

function describeGlob(match: GlobMatch | undefined): string {
  return match ? match.machines.map((m) => `${m.hostname}:${m.online}`).join(',') : '';
}

/** Runs `fn` over items with at most PARALLEL_SEARCHES in flight; results in input order. */
async function limit<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SEARCHES, items.length) }, worker));
  return results;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
