import type * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import type { Credential } from '../credentials/credential';
import { CrossFleetCredentialError } from '../errors';
import { isLoopback } from '../network/loopback';
import type { RequestLogger } from '../network/requestLog';
import { RelayCallError, relayError } from './relayErrors';
import { loggingInterceptor } from './relayLogging';
import { agentIdEntry } from './agentIdMetadata';

export interface RelayTls {
  /** PEM of the CA to trust; with it the channel is TLS even on loopback. */
  ca?: string;
  /** The setting holding the CA file, named in certificate errors. */
  caSetting: string;
}

export interface RelayTarget {
  /** host:port of the relay serving the fleet. */
  address: string;
  tls?: RelayTls;
  fleetId: string;
  fleetName: string;
  credential: Credential;
  /**
   * Returns the credential to use now. OAuth access tokens are refreshed while a terminal stays open,
   * so each call asks for the current one instead of reusing the token the client was created with.
   */
  currentCredential?: () => Promise<Credential>;
  /** Called when the server refused the current credential as expired; OAuth refreshes, keys cannot. */
  renewCredential?: () => Promise<void>;
}

export type OutputEvent =
  | { opened: { session_id: string } }
  | { output: { offset: string | number; data: Buffer } }
  | { gap: { requested_offset: string | number; resumed_offset: string | number } }
  | { exit: { exit_code: number; signal: number; reason: string; total_bytes: string | number } };

/** ConnectTerminal messages as proto-loader hands them over (keepCase, oneofs: `payload` names the one set). */
export interface ControlMessage {
  payload?: 'input' | 'resize' | 'start_session' | 'close_session' | 'signal' | 'ping';
  input?: { data: Buffer; sequence: string | number };
  start_session?: { config?: { session_id?: string } };
  close_session?: { reason: string; force: boolean };
}
export type AgentMessage = { session_id: string; message_id: string } & (
  | { register: { version: string; hostname: string; platform: string; has_shell: boolean; initial_size: { cols: number; rows: number } } }
  | { output: { data: Buffer } }
  | { status: { reason: string } }
  | { heartbeat: Record<string, never> }
);
export type AttachStream = grpc.ClientDuplexStream<AgentMessage, ControlMessage>;

/** ListSessions items; the last three are this project's extension fields (unset from an upstream relay). */
export interface SessionInfoItem {
  session_id: string;
  machine_hostname: string;
  machine_name: string;
  status: string;
  os: string;
  shared: boolean;
  shell_started: boolean;
  attached_clients: number;
}

/** What a relay offers beyond upstream CMDOP, learned once per relay address. */
export interface RelayCapabilities {
  /** This project's extensions: StreamSessionOutput and CreateSessionRequest.command. */
  extensions: boolean;
  /** StreamSessionOutput also opens the session it streams (`create`): a run is one call, not two. */
  openInStream: boolean;
}

/** The response header a relay with StreamSessionOutput's `create` sends on every such call. */
const OPEN_IN_STREAM_HEADER = 'x-cmdop-open-in-stream';

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: any) => void) => void;
type ServiceClient = grpc.Client &
  Record<string, Unary> & {
    StreamSessionOutput(req: object, md: grpc.Metadata): grpc.ClientReadableStream<OutputEvent>;
    ConnectTerminal(md: grpc.Metadata): AttachStream;
  };

/** gRPC UNIMPLEMENTED: the relay has no such method. */
const UNIMPLEMENTED = 12;
/** Transient answers that say nothing about what the relay implements. */
const TRANSIENT = new Set([1, 4, 14]);
const capabilitiesByRelay = new Map<string, Promise<RelayCapabilities>>();

let serviceCtor: grpc.ServiceClientConstructor | undefined;
let loaded: typeof import('./grpcRuntime') | undefined;

/** gRPC is loaded on the first relay call, not at activation. */
function runtime(): typeof import('./grpcRuntime') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./grpcRuntime') as typeof import('./grpcRuntime');
  return loaded;
}

/** Where the .proto sits: next to the bundle in the package, next to this file in the source tree. */
export function protoPath(): string {
  return __filename.endsWith('extension.js')
    ? join(__dirname, 'cmdop_terminal.proto')
    : join(__dirname, '..', '..', 'relay', 'cmdop_terminal.proto');
}

function loadService(): grpc.ServiceClientConstructor {
  if (!serviceCtor) {
    const { grpc, protoLoader } = runtime();
    const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      terminal: { TerminalStreamingService: grpc.ServiceClientConstructor };
    };
    serviceCtor = pkg.terminal.TerminalStreamingService;
  }
  return serviceCtor;
}

const UNARY_DEADLINE_MS = 20_000;

/**
 * The extension's gRPC client for one fleet on one relay. Every call carries the fleet id as
 * `workspace_id`; a key bound to another fleet is refused before anything is sent.
 */
export class RelayClient {
  private readonly client: ServiceClient;

  constructor(
    readonly target: RelayTarget,
    log?: RequestLogger,
  ) {
    this.checkFleet(target.credential);
    const host = target.address.replace(/:\d+$/, '');
    const { grpc } = runtime();
    const ca = target.tls?.ca;
    const channel = ca
      ? grpc.credentials.createSsl(Buffer.from(ca))
      : isLoopback(host)
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl();
    const Ctor = loadService();
    this.client = new Ctor(target.address, channel, {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.keepalive_time_ms': 25_000,
      'grpc.keepalive_timeout_ms': 10_000,
      interceptors: log ? [loggingInterceptor(grpc, log)] : [],
    }) as unknown as ServiceClient;
  }

  /** A fleet's key never goes to another fleet's relay: refused before anything is sent. */
  private checkFleet(credential: Credential): void {
    const { fleetId, fleetName } = this.target;
    if (credential.kind === 'apiKey' && credential.fleetId && credential.fleetId !== fleetId) {
      throw new CrossFleetCredentialError(credential.source, credential.fleetId, fleetName);
    }
  }

  async metadata(agentId?: string): Promise<grpc.Metadata> {
    const credential = this.target.currentCredential ? await this.target.currentCredential() : this.target.credential;
    this.checkFleet(credential);
    const md = new (runtime().grpc.Metadata)();
    md.set('authorization', `Bearer ${credential.secret}`);
    md.set('workspace_id', this.target.fleetId);
    // The SDK's header; this project's fleet server also reads the older x-agent-id.
    if (agentId) {
      const [key, value] = agentIdEntry(agentId);
      md.set(key, value);
    }
    return md;
  }

  /**
   * Whether the relay has this project's extensions, asked once per relay address: a StreamSessionOutput
   * call for no session is refused by a relay that has it (INVALID_ARGUMENT, or a credential error) and
   * answered UNIMPLEMENTED by one that has not. Transient failures are not remembered.
   */
  capabilities(): Promise<RelayCapabilities> {
    const key = this.target.address;
    let known = capabilitiesByRelay.get(key);
    if (!known) {
      known = this.probeExtensions();
      capabilitiesByRelay.set(key, known);
      known.catch(() => capabilitiesByRelay.delete(key));
    }
    return known;
  }

  private async probeExtensions(): Promise<RelayCapabilities> {
    const stream = this.client.StreamSessionOutput({ session_id: '', offset: '0' }, await this.metadata());
    let openInStream = false;
    // Response headers come before the refusal that ends the probe.
    stream.on('metadata', (headers: grpc.Metadata) => (openInStream = headers.get(OPEN_IN_STREAM_HEADER).length > 0));
    return new Promise<RelayCapabilities>((resolve, reject) => {
      const settle = (answer: boolean | Error) => {
        stream.removeAllListeners();
        stream.on('error', () => undefined);
        stream.cancel();
        if (answer instanceof Error) reject(answer);
        else resolve({ extensions: answer, openInStream: answer && openInStream });
      };
      stream.on('data', () => settle(true));
      stream.on('end', () => settle(true));
      stream.on('error', (err: grpc.ServiceError) => {
        if (err.code === UNIMPLEMENTED) settle(false);
        else if (TRANSIENT.has(err.code)) settle(relayError(err, this.target));
        else settle(true);
      });
    });
  }

  /** Opens a ConnectTerminal stream (upstream's interactive attach); the caller sends the RegisterRequest. */
  async connectTerminal(): Promise<AttachStream> {
    return this.client.ConnectTerminal(await this.metadata());
  }

  health(): Promise<{ healthy: boolean; version: string; active_sessions: number }> {
    return this.unary('HealthCheck', {});
  }

  /**
   * Opens a PTY on the machine: an interactive shell, or `command` run once. `command` is this project's
   * extension (field 1001): an upstream relay ignores it, so callers send it only where capabilities() says so.
   */
  async createSession(hostname: string, options: { command?: string; cols: number; rows: number }): Promise<string> {
    const res = await this.unary<{ session_id: string }>('CreateSession', this.createRequest(options), hostname);
    return res.session_id;
  }

  private createRequest(options: { command?: string; cols: number; rows: number }): object {
    return {
      name: options.command ? 'vscode-exec' : 'vscode-shell',
      config: { size: { cols: options.cols, rows: options.rows } },
      command: options.command ?? '',
    };
  }

  /** The fleet's machines as upstream lists them: one long-lived agent session each. */
  async listSessions(options: { hostnameFilter?: string; limit?: number; offset?: number } = {}): Promise<SessionInfoItem[]> {
    const res = await this.unary<{ sessions: SessionInfoItem[] }>('ListSessions', {
      hostname_filter: options.hostnameFilter ?? '',
      limit: options.limit ?? 1000,
      offset: options.offset ?? 0,
    });
    return res.sessions;
  }

  async sendInput(sessionId: string, data: Uint8Array): Promise<void> {
    await this.unary('SendInput', { session_id: sessionId, data: Buffer.from(data) });
  }

  async resize(sessionId: string, cols: number, rows: number): Promise<void> {
    await this.unary('SendResize', { session_id: sessionId, cols, rows });
  }

  async closeSession(sessionId: string, reason: string): Promise<void> {
    await this.unary('CloseSession', { session_id: sessionId, reason, force: false });
  }

  /**
   * Opens a session on the machine and streams its output from byte 0 in one call (this project's extension,
   * where capabilities() says openInStream); the first event names the session.
   */
  async openAndStream(
    hostname: string,
    options: { command?: string; cols: number; rows: number },
  ): Promise<grpc.ClientReadableStream<OutputEvent>> {
    const create = this.createRequest(options);
    return this.client.StreamSessionOutput({ session_id: '', offset: '0', create }, await this.metadata(hostname));
  }

  async streamOutput(sessionId: string, offset: number): Promise<grpc.ClientReadableStream<OutputEvent>> {
    return this.client.StreamSessionOutput({ session_id: sessionId, offset: String(offset) }, await this.metadata());
  }

  describeError(err: unknown): Error {
    return relayError(err, this.target);
  }

  close(): void {
    this.client.close();
  }

  /** One unary call by its upstream method name (the file RPCs: see core/files/machineFiles.ts). */
  call<T>(method: string, request: object, agentId?: string): Promise<T> {
    return this.unary(method, request, agentId);
  }

  private async unary<T>(method: string, request: object, agentId?: string): Promise<T> {
    if (typeof this.client[method] !== 'function')
      throw new RelayCallError(UNIMPLEMENTED, `this version of the extension does not know the relay call ${method}`);
    const md = await this.metadata(agentId);
    return new Promise((resolve, reject) => {
      this.client[method](request, md, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err, res) =>
        err ? reject(relayError(err, this.target)) : resolve(res as T),
      );
    });
  }
}
