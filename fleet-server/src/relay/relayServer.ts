import * as grpc from '@grpc/grpc-js';
import type { TlsMaterial } from '../net/tlsMaterial';
import { attachHandlers } from './attachHandler';
import { fileHandlers } from './fileHandlers';
import { machineHandlers } from './machineHandlers';
import { outputHandlers } from './outputHandlers';
import type { RelayDeps } from './relayDeps';
import { withLatency } from './relayLatency';
import { sessionHandlers } from './sessionHandlers';
import { loadTerminalService } from './terminalProto';
import { terminalControlHandlers } from './terminalControlHandlers';

/**
 * Requests above this are refused by grpc-js itself (RESOURCE_EXHAUSTED) before any handler runs. grpc's
 * usual 4 MiB: a FileWrite of a client's largest save (4 MiB less room for the path and framing) fits.
 */
export const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;
/** Answers stay under this; a FileRead answers at most MAX_READ_CHUNK_BYTES. */
export const MAX_SEND_BYTES = 16 * 1024 * 1024;

export async function bindRelayServer(host: string, port: number, tls?: TlsMaterial): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': MAX_SEND_BYTES,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5000,
  });
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], false)
    : grpc.ServerCredentials.createInsecure();
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials, (err, actual) => (err ? reject(err) : resolve(actual))),
  );
  return { server, address: `${host}:${boundPort}` };
}

/** Adds the service to a bound server. Binding comes first so every relay's address is known to all of them. */
export function serveTerminalService(server: grpc.Server, deps: RelayDeps): void {
  const { StreamSessionOutput, ...upstreamOutput } = outputHandlers(deps);
  const service = loadTerminalService();
  const handlers = {
    ...machineHandlers(deps),
    ...sessionHandlers(deps),
    ...terminalControlHandlers(deps),
    ...upstreamOutput,
    ...attachHandlers(deps),
    ...fileHandlers(deps),
    // Left out, grpc-js answers UNIMPLEMENTED, as an upstream relay does for this project's extension RPCs.
    ...(deps.upstreamOnly ? {} : { StreamSessionOutput }),
  } as unknown as grpc.UntypedServiceImplementation;
  server.addService(service, deps.latencyMs ? withLatency(service, handlers, deps.latencyMs) : handlers);
}
