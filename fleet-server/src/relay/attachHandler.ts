import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { canOperateMachines } from '../auth/roles';
import type { SessionEnd, TerminalSession } from '../sessions/terminalSession';
import { authorizeCall, type CallContext } from './callAuthorization';
import type { AgentMessage, ControlMessage } from './messages';
import type { RelayDeps } from './relayDeps';
import { RelayError, toServiceError } from './relayError';
import { findSession, sessionTarget } from './sessionLookup';
import { MAX_INPUT_BYTES, validateTerminalSize } from './sessionRequestValidation';

const ATTACH_SUFFIX = '-attach';
const PING_INTERVAL_MS = 20_000;
/** Buffered output is replayed in pieces of this size, well below the clients' message limits. */
const REPLAY_CHUNK_BYTES = 64 * 1024;

type Call = ServerDuplexStream<AgentMessage, ControlMessage>;

/** How the session ended, in words a client can parse: "... code <n>" or "... signal <n>". */
function closeReason(end: SessionEnd): string {
  const how = end.signal ? `killed by signal ${end.signal}` : `exited with code ${end.exitCode}`;
  return end.reason === 'exited' ? how : `${end.reason}, ${how}`;
}

/**
 * One ConnectTerminal stream in attach mode, as the SDK's AttachStream speaks it: the first message
 * registers (version "...-attach") for the session named by AgentMessage.session_id; the relay replies
 * StartSessionCommand, replays the session's buffered output and follows it live as ControlMessage.input
 * (sequence = byte offset); stdin, resize and signals come back as AgentMessage.output / StatusUpdate.
 * Guests may watch; anything that changes the session needs an operating role.
 */
class AttachConnection {
  private ctx?: CallContext;
  private session?: TerminalSession;
  private ready = false;
  private finished = false;
  private sentInput = false;
  private readonly backlog: AgentMessage[] = [];
  private readonly cleanups: (() => void)[] = [];
  private commandCounter = 0;
  private resolveFirst!: (message: AgentMessage) => void;
  private rejectFirst!: (err: Error) => void;
  private readonly first = new Promise<AgentMessage>((resolve, reject) => {
    this.resolveFirst = resolve;
    this.rejectFirst = reject;
  });
  private gotFirst = false;

  constructor(
    private readonly deps: RelayDeps,
    private readonly call: Call,
  ) {}

  start(): void {
    const refusal = this.deps.faults?.refusal();
    if (refusal) return this.fail(refusal);
    this.call.on('data', (message: AgentMessage) => {
      if (!this.gotFirst) {
        this.gotFirst = true;
        this.resolveFirst(message);
      } else if (this.ready) {
        this.handleSafely(message);
      } else {
        this.backlog.push(message);
      }
    });
    this.call.on('end', () => {
      this.rejectFirst(new RelayError(status.INVALID_ARGUMENT, 'the stream ended before its RegisterRequest'));
      this.end();
    });
    this.call.on('cancelled', () => this.cleanup());
    this.call.on('close', () => this.cleanup());
    this.call.on('error', () => this.cleanup());
    // The first message may come before or after the credential is checked; neither waits for the other.
    Promise.all([authorizeCall(this.deps, this.call, { operation: 'attach to sessions', mutates: false }), this.first])
      .then(([ctx, first]) => this.open(ctx, first))
      .then(() => {
        this.ready = true;
        for (const message of this.backlog.splice(0)) this.handleSafely(message);
      })
      .catch((err: unknown) => this.fail(err));
  }

  private async open(ctx: CallContext, first: AgentMessage): Promise<void> {
    this.ctx = ctx;
    // Tracked so an injected outage or a revoked credential can end it, as any other stream.
    const untrack = this.deps.faults?.track({ principal: ctx.principal, end: (error) => this.fail(error) });
    if (untrack) this.cleanups.push(untrack);
    if (first.payload !== 'register' || !first.register) {
      throw new RelayError(
        status.INVALID_ARGUMENT,
        'the first ConnectTerminal message must be a RegisterRequest (version ending in "-attach")',
      );
    }
    if (!first.register.version.endsWith(ATTACH_SUFFIX)) {
      throw new RelayError(
        status.UNIMPLEMENTED,
        `this relay serves ConnectTerminal only in attach mode; its machines' agents connect through the fleet server. To attach, send a RegisterRequest whose version ends in "${ATTACH_SUFFIX}"`,
      );
    }
    const session = await findSession(this.deps, ctx, first.session_id);
    if (this.finished) return;
    this.session = session;
    this.audit('session.attach');
    const size = first.register.initial_size;
    if (session.state === 'running' && this.canOperate && size && size.cols > 0 && size.rows > 0) {
      validateTerminalSize(size.cols, size.rows);
      this.deps.supervisor.resize(session, size.cols, size.rows);
    }
    this.write({
      command_id: this.nextCommandId(),
      start_session: { config: { session_id: session.id, shell: session.origin.shell, working_directory: session.origin.cwd, env: {} } },
    });
    this.follow(session);
  }

  /** Replays the buffer, then follows live output, in one tick so no byte falls between the two. */
  private follow(session: TerminalSession): void {
    const backlog = session.output.read(0);
    let position = backlog.offset;
    const pending = backlog.chunks.length ? Buffer.concat(backlog.chunks) : Buffer.alloc(0);
    for (let i = 0; i < pending.length; i += REPLAY_CHUNK_BYTES) {
      const data = pending.subarray(i, i + REPLAY_CHUNK_BYTES);
      this.write({ command_id: this.nextCommandId(), input: { data, sequence: position } });
      position += data.length;
    }
    if (session.state === 'ended' && session.end) return this.closeWith(session.end);
    session.attachedClients += 1;
    this.cleanups.push(() => (session.attachedClients -= 1));
    this.cleanups.push(
      session.subscribe((event) => {
        if (event.type === 'output') this.write({ command_id: this.nextCommandId(), input: { data: event.data, sequence: event.offset } });
        else this.closeWith(event.end);
      }),
    );
    const ping = setInterval(
      () => this.write({ command_id: this.nextCommandId(), ping: { sequence: this.commandCounter } }),
      PING_INTERVAL_MS,
    );
    this.cleanups.push(() => clearInterval(ping));
  }

  private handleSafely(message: AgentMessage): void {
    try {
      this.handle(message);
    } catch (err) {
      this.fail(err);
    }
  }

  private handle(message: AgentMessage): void {
    const session = this.session;
    if (!session || this.finished) return;
    if (message.payload === 'output' && message.output) {
      this.requireOperator('send input');
      const data = message.output.data;
      if (data.length > MAX_INPUT_BYTES) {
        throw new RelayError(
          status.INVALID_ARGUMENT,
          `input of ${data.length} bytes exceeds the ${MAX_INPUT_BYTES}-byte limit per message; split it`,
        );
      }
      if (session.state !== 'running' || data.length === 0) return;
      this.deps.supervisor.input(session, data);
      // One audit entry per attach stream that types, not one per keystroke.
      if (!this.sentInput) this.audit('session.input');
      this.sentInput = true;
    } else if (message.payload === 'status' && message.status) {
      const reason = message.status.reason.trim();
      const resize = /^resize:(\d+)x(\d+)$/.exec(reason);
      const signal = /^signal:(\d+)$/.exec(reason);
      if (resize) {
        this.requireOperator('resize terminals');
        const [cols, rows] = [Number(resize[1]), Number(resize[2])];
        validateTerminalSize(cols, rows);
        if (session.state === 'running') this.deps.supervisor.resize(session, cols, rows);
      } else if (signal) {
        this.requireOperator('send signals');
        const number = Number(signal[1]);
        if (number < 1 || number > 64)
          throw new RelayError(status.INVALID_ARGUMENT, `signal must be a POSIX signal number 1..64, got ${number}`);
        if (session.state !== 'running') return;
        this.deps.supervisor.signal(session, number);
        this.audit(`session.signal:${number}`);
      }
      // Other status updates (an agent's own) mean nothing from an attaching client.
    }
    // Heartbeats only keep the stream alive; a second RegisterRequest changes nothing.
  }

  private get canOperate(): boolean {
    return this.ctx !== undefined && canOperateMachines(this.ctx.role);
  }

  private requireOperator(operation: string): void {
    if (this.canOperate) return;
    const ctx = this.ctx!;
    throw new RelayError(
      status.PERMISSION_DENIED,
      `observer-only: ${ctx.actor} has the ${ctx.role} role in fleet ${ctx.fleet.id} and cannot ${operation}`,
    );
  }

  private audit(action: string): void {
    const { ctx, session } = this;
    if (ctx && session)
      this.deps.audit.record(ctx.fleet.id, { actor: ctx.actor, action, target: sessionTarget(session), source_ip: ctx.sourceIp });
  }

  private closeWith(end: SessionEnd): void {
    this.write({ command_id: this.nextCommandId(), close_session: { reason: closeReason(end), force: false } });
    this.end();
  }

  private write(message: ControlMessage): void {
    if (!this.finished && !this.call.cancelled && !this.call.destroyed) this.call.write(message);
  }

  private end(): void {
    if (this.finished) return;
    this.cleanup();
    if (!this.call.cancelled && !this.call.destroyed) this.call.end();
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.cleanup();
    // grpc-js turns an 'error' event on a server stream into the call's final status.
    this.call.emit('error', toServiceError(err, this.deps.log, 'ConnectTerminal'));
  }

  private cleanup(): void {
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private nextCommandId(): string {
    return `attach-${++this.commandCounter}`;
  }
}

export function attachHandlers(deps: RelayDeps) {
  return {
    ConnectTerminal: (call: Call): void => new AttachConnection(deps, call).start(),
  };
}
