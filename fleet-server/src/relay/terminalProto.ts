import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The extension loads the same file, so client and server cannot drift apart. */
export const TERMINAL_PROTO_PATH = path.resolve(__dirname, '../../../src/relay/cmdop_terminal.proto');

/** keepCase: handlers see the proto's snake_case names, as on the wire. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export function loadTerminalService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(TERMINAL_PROTO_PATH, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    terminal: { TerminalStreamingService: grpc.ServiceClientConstructor };
  };
  return pkg.terminal.TerminalStreamingService.service;
}
