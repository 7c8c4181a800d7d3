import type * as grpc from '@grpc/grpc-js';
import { redactHeaders, redactText } from '../network/redact';
import { elapsedMs, type RequestLogger } from '../network/requestLog';

/**
 * A grpc-js client interceptor that logs every relay call: one debug line with the RPC, status and duration;
 * at trace, also the call's metadata (credentials redacted) and message sizes. Message contents are never
 * logged: terminal input can hold whatever a user types, passwords included.
 */
export function loggingInterceptor(grpcModule: typeof grpc, log: RequestLogger): grpc.Interceptor {
  return (options, nextCall) => {
    const rpc = options.method_definition.path;
    const started = performance.now();
    let sent = 0;
    let received = 0;
    return new grpcModule.InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        log.trace(
          `gRPC ${rpc} start, metadata ${JSON.stringify(redactHeaders(Object.entries(metadata.getMap()).map(([k, v]) => [k, String(v)])))}`,
        );
        next(metadata, {
          onReceiveMessage(message, nextMessage) {
            received++;
            nextMessage(message);
          },
          onReceiveStatus(status, nextStatus) {
            const name = grpcModule.status[status.code] ?? String(status.code);
            const detail = status.code === grpcModule.status.OK ? '' : `: ${redactText(status.details)}`;
            log.debug(`gRPC ${rpc} → ${name} (${elapsedMs(started)})${detail}`);
            log.trace(`gRPC ${rpc} ended after ${sent} message(s) sent, ${received} received`);
            nextStatus(status);
          },
        });
      },
      sendMessage(message, next) {
        sent++;
        next(message);
      },
    });
  };
}
