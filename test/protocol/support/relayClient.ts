import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { TERMINAL_PROTO_PATH } from '../../../fleet-server/src/index';

/** A plain gRPC client for the relay, loaded from the same .proto the extension uses. */
export type RelayClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const definition = protoLoader.loadSync(TERMINAL_PROTO_PATH, {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const pkg = grpc.loadPackageDefinition(definition) as unknown as { terminal: { TerminalStreamingService: grpc.ServiceClientConstructor } };

export function relayClient(address: string): RelayClient {
  return new pkg.terminal.TerminalStreamingService(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 8 * 1024 * 1024,
  }) as unknown as RelayClient;
}

export interface CallMeta {
  token?: string;
  fleet?: string;
  agent?: string;
  raw?: Record<string, string>;
}

export function metadata({ token, fleet, agent, raw }: CallMeta): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  if (fleet !== undefined) md.set('workspace_id', fleet);
  if (agent !== undefined) md.set('x-agent-id', agent);
  for (const [key, value] of Object.entries(raw ?? {})) md.set(key, value);
  return md;
}

// Response shapes are loose on purpose: tests assert on the fields they care about.
export type Message = Record<string, any>;

export function call(client: RelayClient, method: string, request: Message, meta: CallMeta | grpc.Metadata): Promise<Message> {
  const md = meta instanceof grpc.Metadata ? meta : metadata(meta);
  return new Promise((resolve, reject) => {
    client[method](request, md, { deadline: Date.now() + 15_000 }, (err: grpc.ServiceError | null, response: Message) =>
      err ? reject(err) : resolve(response),
    );
  });
}

export interface StreamResult {
  events: Message[];
  output: Buffer;
  exit?: { exit_code: number; signal: number; reason: string; total_bytes: number };
}

/** Reads StreamSessionOutput to its end (the exit event), collecting every byte in order. */
export interface ReadOptions {
  offset?: number;
  /** Stop early (cancelling the stream) once this returns true. */
  until?: (soFar: Buffer) => boolean;
  /** Sees the output so far after each chunk, e.g. to react to a prompt. */
  onOutput?: (soFar: Buffer) => void;
}

export function readOutputStream(
  client: RelayClient,
  sessionId: string,
  meta: CallMeta,
  { offset = 0, until, onOutput }: ReadOptions = {},
): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const events: Message[] = [];
    const chunks: Buffer[] = [];
    let expectedOffset = offset;
    const stream = client.StreamSessionOutput({ session_id: sessionId, offset }, metadata(meta), {
      deadline: Date.now() + 30_000,
    }) as grpc.ClientReadableStream<Message>;
    let done = false;
    const finish = (result: StreamResult): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    stream.on('data', (event: Message) => {
      events.push(event);
      if (event.output) {
        if (event.output.offset !== expectedOffset) {
          reject(new Error(`output offset ${event.output.offset}, expected ${expectedOffset}`));
          stream.cancel();
          return;
        }
        expectedOffset += event.output.data.length;
        chunks.push(event.output.data);
        onOutput?.(Buffer.concat(chunks));
        if (until?.(Buffer.concat(chunks))) {
          finish({ events, output: Buffer.concat(chunks) });
          stream.cancel();
        }
      }
      if (event.gap) expectedOffset = event.gap.resumed_offset;
      if (event.exit) finish({ events, output: Buffer.concat(chunks), exit: event.exit });
    });
    stream.on('error', (err: grpc.ServiceError) => {
      if (!done) reject(err);
    });
    stream.on('end', () => finish({ events, output: Buffer.concat(chunks) }));
  });
}

/** Runs one command on a machine through CreateSession's command field and waits for its exit. */
export async function runCommand(client: RelayClient, meta: CallMeta, command: string): Promise<StreamResult & { sessionId: string }> {
  const created = await call(client, 'CreateSession', { command }, meta);
  const result = await readOutputStream(client, created.session_id, meta);
  return { ...result, sessionId: created.session_id };
}

/** Asserts a promise fails with a gRPC status, and that its message matches. */
export async function expectStatus(promise: Promise<unknown>, code: grpc.status, message?: RegExp): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (err) {
    const error = err as grpc.ServiceError;
    if (error.code !== code) {
      throw new Error(`expected ${grpc.status[code]}, got ${grpc.status[error.code] ?? error.code}: ${error.details ?? error.message}`, {
        cause: err,
      });
    }
    if (message && !message.test(error.details))
      throw new Error(`status ${grpc.status[code]} message "${error.details}" does not match ${message}`, { cause: err });
    return error;
  }
  throw new Error(`expected ${grpc.status[code]}, but the call succeeded`);
}

export { grpc };
