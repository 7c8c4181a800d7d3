import type * as grpc from '@grpc/grpc-js';

type Handler = (...args: unknown[]) => void;
type Streamish = {
  write(chunk: unknown, ...rest: unknown[]): boolean;
  end(...args: unknown[]): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
};

/**
 * This project's addition (`--latency <ms>`): every message and unary call through the relay is delayed by `latencyMs()`
 * each way, as a relay across the internet would, so clients can be measured and tested as they behave there.
 * Requests and incoming stream messages wait that long before the handler sees them; responses, outgoing stream
 * messages and a stream's end or error wait that long before they leave. Equal delays keep every stream's order
 * (timers of the same duration fire in the order they were set); a change of the delay mid-stream may reorder.
 */
export function withLatency(
  service: grpc.ServiceDefinition,
  handlers: grpc.UntypedServiceImplementation,
  latencyMs: () => number,
): grpc.UntypedServiceImplementation {
  const later = (fn: () => void) => {
    const ms = latencyMs();
    if (ms > 0) setTimeout(fn, ms);
    else fn();
  };
  const delayed: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers) as [string, Handler][]) {
    const method = service[name];
    if (!method) continue;
    if (!method.requestStream && !method.responseStream) {
      delayed[name] = ((call: unknown, callback: Handler) =>
        later(() => handler(call, (...result: unknown[]) => later(() => callback(...result))))) as grpc.handleUnaryCall<unknown, unknown>;
      continue;
    }
    delayed[name] = ((call: Streamish) => {
      delayOutgoing(call, later);
      if (method.requestStream) {
        delayIncoming(call, later);
        handler(call);
      } else later(() => handler(call));
    }) as grpc.handleServerStreamingCall<unknown, unknown>;
  }
  return delayed;
}

function delayOutgoing(call: Streamish, later: (fn: () => void) => void): void {
  const write = call.write.bind(call);
  const end = call.end.bind(call);
  const emit = call.emit.bind(call);
  call.write = (chunk: unknown, ...rest: unknown[]) => (later(() => write(chunk, ...rest)), true);
  call.end = (...args: unknown[]) => (later(() => end(...args)), call);
  // grpc-js turns an 'error' event on a server stream into the call's final status: it leaves late too.
  call.emit = (event: string | symbol, ...args: unknown[]) =>
    event === 'error' ? (later(() => emit(event, ...args)), true) : emit(event, ...args);
}

function delayIncoming(call: Streamish, later: (fn: () => void) => void): void {
  const emit = call.emit;
  call.emit = function (this: Streamish, event: string | symbol, ...args: unknown[]) {
    if (event === 'data' || event === 'end') return (later(() => emit.call(this, event, ...args)), true);
    return emit.call(this, event, ...args);
  };
}
