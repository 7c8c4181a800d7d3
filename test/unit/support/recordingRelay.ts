import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from '../../../src/core/relay/relayClient';

export interface RecordedCall {
  method: string;
  authorization: string | undefined;
  workspaceId: string | undefined;
}

/**
 * A real gRPC server speaking the relay's HealthCheck that only records what arrives.
 * It stands in for "another fleet's server" where the test is about what the client sends.
 */
export async function startRecordingRelay(): Promise<{ address: string; calls: RecordedCall[]; close(): Promise<void> }> {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const server = new grpc.Server();
  const calls: RecordedCall[] = [];
  server.addService(pkg.terminal.TerminalStreamingService.service, {
    HealthCheck(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
      calls.push({
        method: 'HealthCheck',
        authorization: call.metadata.get('authorization')[0]?.toString(),
        workspaceId: call.metadata.get('workspace_id')[0]?.toString(),
      });
      callback(null, { healthy: true, version: 'recorder' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
