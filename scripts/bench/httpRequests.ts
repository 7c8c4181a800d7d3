// Requests reaching the HTTP servers of this process (the fleet server's identity provider and REST API run
// here), seen through Node's diagnostics channel: which calls a UI step caused, and when they arrived.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

export interface SeenRequest {
  /** Date.now() when the request started. */
  at: number;
  method: string;
  path: string;
}

export class RequestLog {
  readonly seen: SeenRequest[] = [];
  private readonly listener = (message: unknown) => {
    const req = (message as { request: IncomingMessage }).request;
    this.seen.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '' });
  };

  constructor() {
    diagnostics.subscribe('http.server.request.start', this.listener);
  }

  since(t: number, path: RegExp): SeenRequest[] {
    return this.seen.filter((r) => r.at >= t && path.test(r.path));
  }

  close(): void {
    diagnostics.unsubscribe('http.server.request.start', this.listener);
  }
}
