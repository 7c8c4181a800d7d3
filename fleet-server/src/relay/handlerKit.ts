import type { handleServerStreamingCall, handleUnaryCall, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { authorizeCall, type CallContext, type CallPolicy } from './callAuthorization';
import type { RelayDeps } from './relayDeps';
import { trackedServerStream } from './relayFaults';
import { toServiceError } from './relayError';

/** A unary handler that runs only after the call is authorized; thrown RelayErrors become statuses. */
export function unary<Req, Res>(
  deps: RelayDeps,
  method: string,
  policy: CallPolicy,
  run: (ctx: CallContext, request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const refusal = deps.faults?.refusal();
    if (refusal) return callback(toServiceError(refusal, deps.log, method));
    authorizeCall(deps, call, policy)
      .then((ctx) => run(ctx, call.request, call))
      .then(
        (response) => callback(null, response),
        (err: unknown) => callback(toServiceError(err, deps.log, method)),
      );
  };
}

/**
 * A server-streaming handler; `run` owns the stream once it returns without throwing. `policy` may depend on the
 * request (a stream that also opens a session is checked as one that mutates).
 */
export function serverStream<Req, Res>(
  deps: RelayDeps,
  method: string,
  policy: CallPolicy | ((request: Req) => CallPolicy),
  run: (ctx: CallContext, request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const refusal = deps.faults?.refusal();
    if (refusal) return void call.emit('error', toServiceError(refusal, deps.log, method));
    authorizeCall(deps, call, typeof policy === 'function' ? policy(call.request) : policy)
      .then((ctx) => {
        // Tracked so an injected outage or a revoked credential can end it.
        const untrack = deps.faults?.track(trackedServerStream(call as ServerWritableStream<unknown, unknown>, ctx.principal));
        if (untrack) call.on('close', untrack).on('cancelled', untrack);
        return run(ctx, call.request, call);
      })
      // grpc-js turns an 'error' event on a server stream into the call's final status.
      .catch((err: unknown) => call.emit('error', toServiceError(err, deps.log, method)));
  };
}
