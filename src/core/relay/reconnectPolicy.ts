/** How a dropped connection is retried: capped exponential backoff for a bounded time, then the user decides. */
export interface BackoffOptions {
  /** First wait (default 500 ms). */
  initialMs?: number;
  /** No wait is longer than this (default 15 s). */
  maxMs?: number;
  /** Stop retrying on its own once this much time has passed since the drop (default 2 min). */
  giveUpAfterMs?: number;
  now?: () => number;
}

/**
 * The waits between reconnect attempts: 0.5 s, 1 s, 2 s, … up to 15 s, for at least two minutes.
 * Pure and clock-injected so the schedule is unit-tested; the terminal owns the timers.
 */
export class ReconnectBackoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly giveUpAfterMs: number;
  private readonly now: () => number;
  private attempts = 0;
  private since: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 15_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  /** True while a drop is being retried. */
  get retrying(): boolean {
    return this.since !== undefined;
  }

  get attemptCount(): number {
    return this.attempts;
  }

  /**
   * The wait before the next attempt, or undefined when it is time to stop and offer a manual reconnect.
   * The last wait is cut so that no attempt is scheduled past the deadline by more than one cap.
   */
  nextDelay(): number | undefined {
    const now = this.now();
    this.since ??= now;
    const elapsed = now - this.since;
    if (elapsed >= this.giveUpAfterMs) return undefined;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.attempts);
    this.attempts++;
    return delay;
  }

  /** The connection is back (or the user asked to start over): the next drop starts from the first wait again. */
  reset(): void {
    this.attempts = 0;
    this.since = undefined;
  }
}
