import { status, type ServiceError, Metadata } from '@grpc/grpc-js';

/** A refusal with a gRPC status and a message meant for the person at the client. */
export class RelayError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export function toServiceError(err: unknown, log: (line: string) => void, method: string): Partial<ServiceError> {
  if (err instanceof RelayError) return { code: err.code, details: err.message, metadata: new Metadata() };
  log(`relay ${method} failed: ${(err as Error)?.stack ?? String(err)}`);
  return { code: status.INTERNAL, details: `internal relay error in ${method}: ${(err as Error)?.message ?? String(err)}` };
}
