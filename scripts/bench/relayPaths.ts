// The two ways to run a command on a machine that the exec benchmarks compare:
// the extension's own path (RelayClient + RemoteSession + the terminal's streaming TextDecoder) and a
// bare @grpc/grpc-js client making the same two calls (CreateSession, StreamSessionOutput).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Credential } from '../../src/core/credential';
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
  totalMs: number;
  bytes: number;
}

export interface ExecPath {
  run(command: string): Promise<RunResult>;
  close(): void;
}

export function extensionPath(target: Target): ExecPath {
  const credential: Credential = { kind: 'apiKey', source: 'explicit', secret: target.secret, fleetId: target.fleetId };
  const client = new RelayClient({ address: target.address, fleetId: target.fleetId, fleetName: target.fleetId, credential });
  return {
    async run(command) {
      const start = performance.now();
      let first = 0;
      let bytes = 0;
      const decoder = new TextDecoder('utf-8');
      let sink = 0;
      const session = await RemoteSession.open(client, target.hostname, { command, cols: 200, rows: 50 });
      await new Promise<void>((resolve, reject) => {
        session.onOutput((chunk) => {
          if (!first) first = performance.now();
          bytes += chunk.byteLength;
          // The same work the Pseudoterminal does with each chunk before handing it to VS Code.
          sink += decoder.decode(chunk, { stream: true }).length;
        });
        session.onExit(() => resolve());
        session.onDisconnect(reject);
      });
      void sink;
      return { firstByteMs: first - start, totalMs: performance.now() - start, bytes };
    },
    close: () => client.close(),
  };
}

export function bareGrpcPath(target: Target): ExecPath {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const client = new pkg.terminal.TerminalStreamingService(target.address, grpc.credentials.createInsecure());
  const md = (agent?: string) => {
    const m = new grpc.Metadata();
    m.set('authorization', `Bearer ${target.secret}`);
    m.set('workspace_id', target.fleetId);
    if (agent) m.set('x-agent-id', agent);
    return m;
  };
  return {
    async run(command) {
      const start = performance.now();
      const created: { session_id: string } = await new Promise((resolve, reject) =>
        client.CreateSession({ command, config: { size: { cols: 200, rows: 50 } } }, md(target.hostname), (e: Error | null, r: any) => (e ? reject(e) : resolve(r))),
      );
      let first = 0;
      let bytes = 0;
      await new Promise<void>((resolve, reject) => {
        const stream = client.StreamSessionOutput({ session_id: created.session_id, offset: '0' }, md());
        stream.on('data', (event: any) => {
          if (event.output) {
            if (!first) first = performance.now();
            bytes += event.output.data.length;
          } else if (event.exit) resolve();
        });
        stream.on('error', reject);
      });
      return { firstByteMs: first - start, totalMs: performance.now() - start, bytes };
    },
    close: () => client.close(),
  };
}
