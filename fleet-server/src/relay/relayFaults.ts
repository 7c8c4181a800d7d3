import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { Principal } from '../auth/principal';
import { RelayError, toServiceError } from './relayError';

/** An open call the relay can end from outside (fault injection, revocation). */
export interface TrackedStream {
  principal: Principal;
  end(error: RelayError): void;
}

/**
 * Fault injection and revocation for the relays (this project's addition, driven by loopback admin calls):
 * drop every open stream and refuse new calls for a while, as a flaky network or a relay restart would,
 * while sessions and their shells stay alive on the machines.
 */
export class RelayFaults {
  private outageUntil = 0;
  private readonly open = new Set<TrackedStream>();

  /** The error to refuse a new call with during an outage; undefined when the relay is up. */
  refusal(now = Date.now()): RelayError | undefined {
    if (now >= this.outageUntil) return undefined;
    const left = Math.ceil((this.outageUntil - now) / 1000);
    return new RelayError(status.UNAVAILABLE, `relay unavailable (injected outage, ${left}s left)`);
  }

  /** Registers an open stream until `untrack()` is called (on close or cancel). */
  track(stream: TrackedStream): () => void {
    this.open.add(stream);
    return () => this.open.delete(stream);
  }

  /** Ends every open stream with UNAVAILABLE and refuses new calls for `seconds`. Returns how many streams ended. */
  outage(seconds: number, now = Date.now()): number {
    this.outageUntil = now + seconds * 1000;
    return this.endWhere(() => true, new RelayError(status.UNAVAILABLE, `relay connection dropped (injected outage of ${seconds}s)`));
  }

  /** Ends the open streams of principals that just lost their access. */
  endWhere(match: (principal: Principal) => boolean, error: RelayError): number {
    let ended = 0;
    for (const stream of [...this.open]) {
      if (!match(stream.principal)) continue;
      this.open.delete(stream);
      stream.end(error);
      ended++;
    }
    return ended;
  }
}

/** Adapts a gRPC server stream: grpc-js turns an 'error' event into the call's final status. */
export function trackedServerStream(call: ServerWritableStream<unknown, unknown>, principal: Principal): TrackedStream {
  return {
    principal,
    end: (error) =>
      call.emit(
        'error',
        toServiceError(error, () => undefined, 'stream'),
      ),
  };
}
