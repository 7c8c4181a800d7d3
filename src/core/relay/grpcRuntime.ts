// Built as its own file (dist/grpcRuntime.js) and required on first relay use, so activation does not parse gRPC.
export * as grpc from '@grpc/grpc-js';
export * as protoLoader from '@grpc/proto-loader';
