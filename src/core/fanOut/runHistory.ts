import { Emitter } from '../emitter';
import type { FanOut, MachineResult } from './fanOut';

/** Who asked for a run: the person through our UI (undefined), or VS Code's chat agent after the person confirmed. */
export type RunOrigin = 'chat';

export interface FanOutRunInfo {
  id: number;
  command: string;
  fleetId: string;
  fleetName: string;
  startedAt: Date;
  fanOut: FanOut;
  origin?: RunOrigin;
  /** The run read one file on each machine (Compare File Across Machines): `command` is its path. */
  comparesFile?: boolean;
}

/** The runs of this window, newest first, the last `limit` kept. */
export class RunHistory {
  private readonly list: FanOutRunInfo[] = [];
  private readonly changes = new Emitter<FanOutRunInfo | undefined>();
  /** A run was added, dropped, or got a result (the run), or the list changed (undefined). */
  readonly onDidChange = this.changes.event;
  private nextId = 1;

  constructor(private readonly limit = 20) {}

  get runs(): readonly FanOutRunInfo[] {
    return this.list;
  }

  add(info: Omit<FanOutRunInfo, 'id'>): FanOutRunInfo {
    const run = { ...info, id: this.nextId++ };
    this.list.unshift(run);
    // Older runs go; a run still going is kept until it ends, so its Cancel keeps working.
    while (this.list.length > this.limit) {
      let oldest = this.list.length - 1;
      while (oldest >= 0 && !this.list[oldest].fanOut.isDone) oldest--;
      if (oldest < 0) break;
      this.list.splice(oldest, 1);
    }
    run.fanOut.onResult(() => this.changes.fire(run));
    this.changes.fire(undefined);
    return run;
  }

  get(id: number): FanOutRunInfo | undefined {
    return this.list.find((r) => r.id === id);
  }

  result(id: number, hostname: string): MachineResult | undefined {
    return this.get(id)?.fanOut.results.find((r) => r.hostname === hostname);
  }

  clear(): void {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].fanOut.isDone) this.list.splice(i, 1);
    this.changes.fire(undefined);
  }
}
