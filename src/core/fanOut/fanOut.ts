import { Emitter } from '../emitter';
import { plainText } from './ansi';
import { BoundedOutput } from './boundedOutput';
import { AdaptiveConcurrency, isOverload } from './concurrency';

/** How one machine's part of a fan-out ended. */
export type Outcome = 'ok' | 'failed' | 'timeout' | 'cancelled' | 'error' | 'skipped';

export interface MachineResult {
  hostname: string;
  outcome: Outcome;
  /** Set when the command ran to its end (ok or failed). */
  exitCode?: number;
  signal?: number;
  durationMs: number;
  /** Plain text (ANSI stripped, LF line endings), at most the output limit, the cut marked. */
  output: string;
  truncated: boolean;
  /** Why it was skipped, timed out, cancelled or failed to run. */
  detail?: string;
}

export interface CommandExit {
  exitCode: number;
  signal?: number;
  reason?: string;
}

export interface RunnerIo {
  signal: AbortSignal;
  onOutput(data: Uint8Array): void;
  /** Called (optionally) once the session is open: how long that took steers the fan-out's concurrency. */
  onStarted?(): void;
}

/**
 * Runs one command on one machine. When `signal` aborts, the runner must end the remote session
 * (not just stop listening) and settle soon after.
 */
export interface CommandRunner {
  run(hostname: string, command: string, io: RunnerIo): Promise<CommandExit>;
}

export interface FanOutOptions {
  command: string;
  /** Hostnames to run on, started in this order. */
  targets: string[];
  /** Machines not run on, listed in the results with their reason (offline, …). */
  skipped?: { hostname: string; reason: string }[];
  runner: CommandRunner;
  /** At most this many sessions at once: the ceiling of the adaptive concurrency (see AdaptiveConcurrency). */
  concurrency: number;
  /** Sessions open at first (default 16, or `concurrency` if lower); grows while the relay keeps up. */
  initialConcurrency?: number;
  /** Per machine; 0 means no limit. */
  timeoutMs: number;
  /** Per machine (default 1 MiB). */
  outputLimitBytes?: number;
  /** How long an aborted runner may take to settle before its slot is given up (default 5 s). */
  abortGraceMs?: number;
}

export const DEFAULT_OUTPUT_LIMIT = 1024 * 1024;

export interface FanOutCounts {
  ok: number;
  failed: number;
  timeout: number;
  cancelled: number;
  error: number;
  skipped: number;
  running: number;
  pending: number;
  total: number;
}

/**
 * One command on many machines: as many sessions at once as the relay sustains, never more than
 * `concurrency`, a timeout per machine, results announced as each machine finishes, cancel ending every
 * open session and marking the machines not yet started as cancelled.
 */
export class FanOut {
  readonly command: string;
  /** In the order they finished (skipped machines first, as they are known at once). */
  readonly results: MachineResult[] = [];
  readonly done: Promise<MachineResult[]>;
  private readonly finished = new Emitter<MachineResult>();
  /** Fired once per machine, as soon as its result is known. */
  readonly onResult = this.finished.event;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly queue: string[];
  private cancelled = false;
  private peak = 0;
  private readonly total: number;
  private readonly width: AdaptiveConcurrency;
  private settle!: () => void;
  private fail!: (err: unknown) => void;

  constructor(private readonly options: FanOutOptions) {
    this.command = options.command;
    this.queue = [...options.targets];
    this.total = options.targets.length + (options.skipped?.length ?? 0);
    for (const s of options.skipped ?? [])
      this.results.push({ hostname: s.hostname, outcome: 'skipped', durationMs: 0, output: '', truncated: false, detail: s.reason });
    this.width = new AdaptiveConcurrency({ ceiling: options.concurrency, initial: options.initialConcurrency });
    this.done = new Promise<void>((resolve, reject) => ((this.settle = resolve), (this.fail = reject))).then(() => this.results);
    this.pump();
  }

  /** Sessions allowed at once right now (adapts during the run; never above the `concurrency` ceiling). */
  get concurrencyLimit(): number {
    return this.width.limit;
  }

  get running(): string[] {
    return [...this.inFlight.keys()];
  }

  /** Most sessions open at the same time so far. */
  get peakConcurrency(): number {
    return this.peak;
  }

  get isDone(): boolean {
    return this.results.length === this.total;
  }

  counts(): FanOutCounts {
    const c: FanOutCounts = {
      ok: 0,
      failed: 0,
      timeout: 0,
      cancelled: 0,
      error: 0,
      skipped: 0,
      running: this.inFlight.size,
      pending: this.queue.length,
      total: this.total,
    };
    for (const r of this.results) c[r.outcome] += 1;
    return c;
  }

  /** Ends the open sessions and marks them and every machine not yet started as cancelled. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const hostname of this.queue.splice(0))
      this.record({ hostname, outcome: 'cancelled', durationMs: 0, output: '', truncated: false, detail: 'cancelled before it started' });
    for (const controller of this.inFlight.values()) controller.abort(new Error('cancelled'));
  }

  /** Starts machines while the limit allows; settles `done` once nothing runs and nothing waits. */
  private pump(): void {
    while (this.inFlight.size < this.width.limit && this.queue.length > 0) {
      // A result listener that throws fails the whole run, as it would have failed a worker.
      this.runOne(this.queue.shift()!).then(
        () => this.pump(),
        (err: unknown) => this.fail(err),
      );
    }
    if (this.inFlight.size === 0 && this.queue.length === 0) this.settle();
  }

  private async runOne(hostname: string): Promise<void> {
    const { runner, command, timeoutMs } = this.options;
    const controller = new AbortController();
    const output = new BoundedOutput(this.options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT);
    this.inFlight.set(hostname, controller);
    this.peak = Math.max(this.peak, this.inFlight.size);
    const started = performance.now();
    let setupMs: number | undefined;
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort(new Error('timed out'))), timeoutMs) : undefined;
    const result = (outcome: Outcome, extra: Partial<MachineResult> = {}): MachineResult => ({
      hostname,
      outcome,
      durationMs: performance.now() - started,
      output: plainText(output.text()),
      truncated: output.truncated,
      ...extra,
    });
    let settled: MachineResult;
    try {
      const running = runner.run(hostname, command, {
        signal: controller.signal,
        onOutput: (data) => output.append(data),
        onStarted: () => (setupMs ??= performance.now() - started),
      });
      const exit = await this.untilSettledOrGivenUp(running, controller.signal);
      if (exit === undefined || controller.signal.aborted) throw controller.signal.reason ?? new Error('aborted');
      settled = result(exit.exitCode === 0 && !exit.signal ? 'ok' : 'failed', {
        exitCode: exit.exitCode,
        signal: exit.signal || undefined,
        detail: exit.reason,
      });
      this.width.succeeded(setupMs);
    } catch (err) {
      if (!timedOut && !this.cancelled && isOverload(err)) this.width.overloaded();
      if (timedOut) settled = result('timeout', { detail: `no exit within ${formatMs(timeoutMs)}; session closed` });
      else if (this.cancelled) settled = result('cancelled', { detail: 'cancelled while running; session closed' });
      else settled = result('error', { detail: (err as Error).message });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(hostname);
    }
    this.record(settled);
  }

  /** The runner's exit; after an abort, waits a grace period for it to close its session, then gives up. */
  private untilSettledOrGivenUp(running: Promise<CommandExit>, signal: AbortSignal): Promise<CommandExit | undefined> {
    const grace = this.options.abortGraceMs ?? 5000;
    return new Promise((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const onAbort = () => (graceTimer = setTimeout(() => resolve(undefined), grace));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      running.then(
        (exit) => (clearTimeout(graceTimer), signal.removeEventListener('abort', onAbort), resolve(exit)),
        (err) => (clearTimeout(graceTimer), signal.removeEventListener('abort', onAbort), reject(err)),
      );
    });
  }

  private record(result: MachineResult): void {
    this.results.push(result);
    this.finished.fire(result);
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
