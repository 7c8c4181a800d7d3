import type { Machine } from './fleetApi';

/** What a presence poll changed in one fleet's loaded machines. */
export interface PresenceDiff {
  /** Machines (by id) whose row looks different now: online state, status, name, OS, agent, last seen. */
  changed: string[];
  /** Machines were added, removed or reordered: the fleet's children must be listed again. */
  reordered: boolean;
}

const rowKey = (m: Machine) => [m.name, m.hostname, m.os, m.is_online, m.status, m.last_seen, m.agent_version].join('\u0000');

/** Compares two snapshots of a fleet's loaded machines, so the tree redraws only the rows that changed. */
export function diffMachines(before: readonly Machine[], after: readonly Machine[]): PresenceDiff {
  const reordered = before.length !== after.length || before.some((m, i) => m.id !== after[i].id);
  const old = new Map(before.map((m) => [m.id, rowKey(m)]));
  const changed = after.filter((m) => old.has(m.id) && old.get(m.id) !== rowKey(m)).map((m) => m.id);
  return { changed, reordered };
}

export interface PollTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: PollTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

/**
 * Runs `poll` every `intervalMs` while the view is visible and the window focused; pauses otherwise.
 * Ticks never overlap: the next one is scheduled when the previous poll settles. Coming back after a pause
 * polls at once if the last poll is older than one interval, so what the user sees is never staler than that.
 * An interval of 0 turns polling off.
 */
export class PresencePoller {
  private visible = false;
  private focused = true;
  private timer: unknown;
  private inFlight: Promise<void> | undefined;
  private lastPoll = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(
    private readonly poll: () => Promise<void>,
    private intervalMs: number,
    private readonly timers: PollTimers = realTimers,
  ) {}

  get active(): boolean {
    return !this.disposed && this.visible && this.focused && this.intervalMs > 0;
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    this.reschedule();
  }

  setFocused(focused: boolean): void {
    this.focused = focused;
    this.reschedule();
  }

  setInterval(ms: number): void {
    this.intervalMs = Math.max(0, ms);
    this.reschedule();
  }

  /** The user refreshed by hand: the next automatic poll is one full interval from now. */
  restartClock(): void {
    this.lastPoll = this.timers.now();
    this.reschedule();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private reschedule(): void {
    this.stop();
    if (!this.active || this.inFlight) return;
    const wait = Math.max(0, this.lastPoll + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.active || this.inFlight) return;
    this.lastPoll = this.timers.now();
    this.inFlight = this.poll()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        this.reschedule();
      });
  }
}
