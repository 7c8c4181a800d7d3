import type * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import type { Credential } from '../credential';
import { CrossFleetCredentialError } from '../errors';
import { isLoopback } from '../oauth/oidcClient';
import type { RequestLogger } from '../requestLog';
import { relayError } from './relayErrors';
import { loggingInterceptor } from './relayLogging';

export interface RelayTarget {
  /** host:port of the relay serving the fleet. */
  address: string;
  fleetId: string;
  fleetName: string;
  credential: Credential;
  /**
   * Returns the credential to use now. OAuth access tokens are refreshed while a terminal stays open,
   * so each call asks for the current one instead of reusing the token the client was created with.
   */
  currentCredential?: () => Promise<Credential>;
}

export type OutputEvent =
  | { output: { offset: string | number; data: Buffer } }
  | { gap: { requested_offset: string | number; resumed_offset: string | number } }
  | { exit: { exit_code: number; signal: number; reason: string; total_bytes: string | number } };

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: any) => void) => void;
type ServiceClient = grpc.Client & Record<string, Unary> & {
  StreamSessionOutput(req: object, md: grpc.Metadata): grpc.ClientReadableStream<OutputEvent>;
};

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
  return __filename.endsWith('extension.js') ? join(__dirname, 'cmdop_terminal.proto') : join(__dirname, '..', '..', 'relay', 'cmdop_terminal.proto');
}

function loadService(): grpc.ServiceClientConstructor {
  if (!serviceCtor) {
    const { grpc, protoLoader } = runtime();
    const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { terminal: { TerminalStreamingService: grpc.ServiceClientConstructor } };
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
    const channel = isLoopback(host) ? grpc.credentials.createInsecure() : grpc.credentials.createSsl();
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
    if (agentId) md.set('x-agent-id', agentId);
    return md;
  }

  health(): Promise<{ healthy: boolean; version: string; active_sessions: number }> {
    return this.unary('HealthCheck', {});
  }

  /** The fleet's connected sessions (one per online machine: its shared agent session). */
  listSessions(limit = 500): Promise<{ sessions: import('../liveSessions').SessionInfoItem[]; total: number }> {
    return this.unary('ListSessions', { hostname_filter: '', status_filter: 'connected', limit, offset: 0 });
  }

  /** Opens a PTY on the machine: an interactive shell, or `command` run once. */
  async createSession(hostname: string, options: { command?: string; cols: number; rows: number }): Promise<string> {
    const res = await this.unary<{ session_id: string }>(
      'CreateSession',
      { name: options.command ? 'vscode-exec' : 'vscode-shell', config: { size: { cols: options.cols, rows: options.rows } }, command: options.command ?? '' },
      hostname,
    );
    return res.session_id;
  }

  async sendInput(sessionId: string, data: Uint8Array): Promise<void> {
    await this.unary('SendInput', { session_id: sessionId, data: Buffer.from(data) });
  }

  async resize(sessionId: string, cols: number, rows: number): Promise<void> {
    await this.unary('SendResize', { session_id: sessionId, cols, rows });
  }

  async signal(sessionId: string, signal: number): Promise<void> {
    await this.unary('SendSignal', { session_id: sessionId, signal });
  }

  async closeSession(sessionId: string, reason: string): Promise<void> {
    await this.unary('CloseSession', { session_id: sessionId, reason, force: false });
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

  private async unary<T>(method: string, request: object, agentId?: string): Promise<T> {
    const md = await this.metadata(agentId);
    return new Promise((resolve, reject) => {
      this.client[method](request, md, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err, res) =>
        err ? reject(relayError(err, this.target)) : resolve(res as T),
      );
    });
  }
}
