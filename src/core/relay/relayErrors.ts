import { describeSource } from '../credentials/credential';
import { TlsError, tlsAdvice, tlsProblemOf } from '../network/tls';
import { CmdopError, CredentialRefusedError } from '../errors';
import type { RelayTarget } from './relayClient';

/** gRPC status codes used here (numbers fixed by the gRPC spec), kept local so this file does not load gRPC. */
export const Status = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export class RelayCallError extends CmdopError {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Turns a gRPC status into a message that names the fleet and the credential's source. */
export function relayError(err: unknown, target: RelayTarget): Error {
  if (err instanceof CmdopError) return err;
  const e = err as { code?: number; details?: string; message?: string };
  const detail = e.details || e.message || 'unknown error';
  const who = describeSource(target.credential.source);
  const tlsProblem = e.code === Status.UNAVAILABLE ? tlsProblemOf(err) : undefined;
  if (tlsProblem) {
    const setting = target.tls?.caSetting ?? 'cmdop.endpoints.<mode>.caFile';
    return new TlsError(
      tlsProblem,
      `${tlsAdvice(tlsProblem, `relay ${target.address}`, setting, target.tls?.ca !== undefined)} (fleet "${target.fleetName}")`,
    );
  }
  switch (e.code) {
    case Status.UNAUTHENTICATED:
      return new CredentialRefusedError(target.credential.source, detail);
    case Status.PERMISSION_DENIED:
      return new RelayCallError(e.code, `${who} may not do this in fleet "${target.fleetName}": ${detail}`);
    case Status.UNAVAILABLE:
      return new RelayCallError(e.code, `Relay ${target.address} for fleet "${target.fleetName}" is unavailable: ${detail}`);
    case Status.DEADLINE_EXCEEDED:
      return new RelayCallError(e.code, `Relay ${target.address} did not answer in time.`);
    default:
      return new RelayCallError(e.code ?? Status.UNKNOWN, `Fleet "${target.fleetName}": ${detail}`);
  }
}
