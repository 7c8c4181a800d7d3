// The two ways to run a command on a machine that the exec benchmarks compare:
// - the extension's path: RelayClient + RemoteSession, each chunk through a streaming TextDecoder exactly as
//   src/vscode/remoteTerminal.ts does before firing it to the Pseudoterminal;
// - a bare @grpc/grpc-js + @grpc/proto-loader client making the same two calls (CreateSession, StreamSessionOutput).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Credential } from '../../src/core/credentials/credential';
import { protoPath, RelayClient } from '../../src/core/relay/relayClient';
import { RemoteSession } from '../../src/core/relay/remoteSession';

export interface Target {
  address: string;
  fleetId: string;
  secret: string;
  hostname: string;
}

export interface RunResult {
  /** ms from the request to the first output byte. */
  firstByteMs: number;
  /** ms from the request to the exit event. */
  totalMs: number;
  bytes: number;
  chunks: number;
  largestChunk: number;
  /** Longest time one chunk spent in the output handler (decoding, for the extension). */
  slowestHandlerMs: number;
}

export interface ExecPath {
  readonly label: string;
  run(command: string): Promise<RunResult>;
  close(): void;
}

const SIZE = { cols: 200, rows: 50 };

export function extensionPath(target: Target): ExecPath {
  const credential: Credential = { kind: 'apiKey', source: 'explicit', secret: target.secret, fleetId: target.fleetId };
  const client = new RelayClient({ address: target.address, fleetId: target.fleetId, fleetName: target.fleetId, credential });
  let decodedChars = 0;
  return {
    label: 'extension',
    async run(command) {
      const start = performance.now();
      let first = 0;
      let bytes = 0;
      let chunks = 0;
      let largestChunk = 0;
      let slowestHandlerMs = 0;
      const decoder = new TextDecoder('utf-8');
      const session = await RemoteSession.open(client, target.hostname, { command, ...SIZE });
      await new Promise<void>((resolve, reject) => {
        session.onOutput((chunk) => {
          const t = performance.now();
          if (!first) first = t;
          bytes += chunk.byteLength;
          chunks++;
          if (chunk.byteLength > largestChunk) largestChunk = chunk.byteLength;
          // What RemoteTerminal does with each chunk before VS Code gets it (onDidWrite.fire(string)).
          decodedChars += decoder.decode(chunk, { stream: true }).length;
          const spent = performance.now() - t;
          if (spent > slowestHandlerMs) slowestHandlerMs = spent;
        });
        session.onExit(() => resolve());
        session.onDisconnect(reject);
      });
      return { firstByteMs: first - start, totalMs: performance.now() - start, bytes, chunks, largestChunk, slowestHandlerMs };
    },
    close: () => {
      client.close();
      void decodedChars;
    },
  };
}

export function bareGrpcPath(target: Target): ExecPath {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const client: grpc.Client & Record<string, any> = new pkg.terminal.TerminalStreamingService(
    target.address,
    grpc.credentials.createInsecure(),
  );
  const metadata = (agent?: string) => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${target.secret}`);
    md.set('workspace_id', target.fleetId);
    if (agent) md.set('x-agent-id', agent);
    return md;
  };
  return {
    label: 'bare grpc-js',
    async run(command) {
      const start = performance.now();
      const created: { session_id: string } = await new Promise((resolve, reject) =>
        client.CreateSession({ name: 'bench', config: { size: SIZE }, command }, metadata(target.hostname), (e: Error | null, r: any) =>
          e ? reject(e) : resolve(r),
        ),
      );
      let first = 0;
      let bytes = 0;
      let chunks = 0;
      let largestChunk = 0;
      await new Promise<void>((resolve, reject) => {
        const stream = client.StreamSessionOutput({ session_id: created.session_id, offset: '0' }, metadata());
        stream.on('data', (event: any) => {
          if (event.output) {
            if (!first) first = performance.now();
            const n = event.output.data.length;
            bytes += n;
            chunks++;
            if (n > largestChunk) largestChunk = n;
          } else if (event.exit) resolve();
        });
        stream.on('error', reject);
      });
      return { firstByteMs: first - start, totalMs: performance.now() - start, bytes, chunks, largestChunk, slowestHandlerMs: 0 };
    },
    close: () => client.close(),
  };
}
