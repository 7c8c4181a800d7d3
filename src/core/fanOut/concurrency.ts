/** gRPC statuses that say the relay or machine is overloaded (numbers fixed by the gRPC spec). */
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

/** Whether a failed run says "too much at once" (the relay refused or dropped it), so a fan-out should back off. */
export function isOverload(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === RESOURCE_EXHAUSTED || code === UNAVAILABLE;
}

/** The default of `cmdop.fanOut.concurrency`: the ceiling of the adaptive concurrency. */
export const DEFAULT_FAN_OUT_CEILING = 128;

export interface ConcurrencyOptions {
  /** Never more sessions at once than this (the user's setting). */
  ceiling: number;
  /** Where it starts (default 16, or the ceiling if lower). */
  initial?: number;
  /** A session set up more slowly than this many times the fastest seen counts as the relay queueing (default 3). */
  latencyTolerance?: number;
  /** ...plus this many ms, so the jitter of a loopback relay (a few ms) is not taken for queueing (default 50). */
  latencySlackMs?: number;
}

/**
 * How many sessions a fan-out keeps open, adapted to what the relay and machines sustain, the way TCP finds a
 * path's capacity: it doubles every round while runs take as long as the fastest seen (slow start), then grows by
 * one per round; it backs off multiplicatively when a run is refused as overload (RESOURCE_EXHAUSTED,
 * UNAVAILABLE: halved) or when sessions take longer to set up than `latencyTolerance` times the fastest (more
 * sessions would only queue: three quarters). Setup, not the whole run, is what is compared: commands may take
 * very different times on different machines, while opening a session costs the same unless the relay queues. At most one decrease per round (as many completions as the limit), so one burst of
 * failures does not collapse it. Always between 1 and the ceiling. Pure: the caller reports every finished run.
 */
export class AdaptiveConcurrency {
  readonly ceiling: number;
  private window: number;
  private slowStart = true;
  private fastestMs = Number.POSITIVE_INFINITY;
  private completions = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly tolerance: number;
  private readonly slackMs: number;

  constructor(options: ConcurrencyOptions) {
    this.ceiling = Math.max(1, Math.floor(options.ceiling) || 1);
    this.window = clamp(Math.floor(options.initial ?? 16) || 1, 1, this.ceiling);
    this.tolerance = Math.max(1, options.latencyTolerance ?? 3);
    this.slackMs = Math.max(0, options.latencySlackMs ?? 50);
  }

  /** Sessions that may be open now. */
  get limit(): number {
    return clamp(Math.floor(this.window), 1, this.ceiling);
  }

  /** A run ended by itself (whatever its exit code); `setupMs`: how long its session took to open, when known. */
  succeeded(setupMs?: number): void {
    this.completions++;
    if (setupMs !== undefined && Number.isFinite(setupMs)) {
      this.fastestMs = Math.min(this.fastestMs, setupMs);
      if (setupMs > this.tolerance * this.fastestMs + this.slackMs && this.mayDecrease()) return this.decrease(0.75);
    }
    // Growth is capped a little above the ceiling so that a later decrease still takes effect at once.
    this.window = Math.min(this.ceiling + 1, this.window + (this.slowStart ? 1 : 1 / this.window));
  }

  /** A run was refused or dropped as overload. */
  overloaded(): void {
    this.completions++;
    if (this.mayDecrease()) this.decrease(0.5);
  }

  private mayDecrease(): boolean {
    return this.completions - this.lastDecrease >= this.limit;
  }

  private decrease(factor: number): void {
    this.slowStart = false;
    this.lastDecrease = this.completions;
    this.window = Math.max(1, Math.min(this.window, this.ceiling) * factor);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
