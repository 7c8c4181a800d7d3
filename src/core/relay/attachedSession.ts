import { randomBytes } from 'node:crypto';
import { Emitter } from '../emitter';
import type { AgentMessage, AttachStream, ControlMessage, RelayClient } from './relayClient';
import type { RemoteSession, SessionExit } from './remoteSession';

/** Upstream's marker for a client (not an agent) registering on ConnectTerminal. */
const ATTACH_VERSION = 'cmdop-vscode-0.1.0-attach';
const HEARTBEAT_MS = 25_000;
const MAX_INPUT_CHUNK = 60_000;
const CANCELLED = 1;

/**
 * How a CloseSessionCommand's reason reads: "exited with code 3", "killed by signal 9", optionally after
 * "closed, " / "machine stopped, ". A reason with neither a code nor a signal is not an exit: it keeps the
 * relay's words as the reason (never "exited"), so the caller reports it instead of a made-up code 0.
 */
export function exitFromReason(text: string): SessionExit {
  const code = /code (-?\d+)/.exec(text);
  const signal = /signal (\d+)/.exec(text);
  if (!code && !signal)
    return { code: -1, signal: 0, reason: text.trim() && text.trim() !== 'exited' ? text.trim() : 'ended without an exit code' };
  const cause = /^(.*?),\s*(?:exited|killed)/.exec(text)?.[1] ?? 'exited';
  return { code: code ? Number(code[1]) : 0, signal: signal ? Number(signal[1]) : 0, reason: cause };
}

/**
 * A session followed through upstream CMDOP's ConnectTerminal attach, as the SDK's AttachStream does:
 * RegisterRequest (version "...-attach") for the session id, output as ControlMessage.input, stdin as
 * AgentMessage.output, resize as a StatusUpdate reason, heartbeats. resume() attaches again;
 * where the relay numbers its output (TerminalInput.sequence = byte offset, checked on the first attach)
 * the bytes already shown are skipped and lost ones reported, otherwise the replay is shown as sent.
 */
export class AttachedSession implements RemoteSession {
  private readonly output = new Emitter<Uint8Array>();
  private readonly exited = new Emitter<SessionExit>();
  private readonly dropped = new Emitter<Error>();
  private readonly gaps = new Emitter<number>();
  /** Output that came before anyone listened (the replay can arrive in the tick that resolves connect()). */
  private early: Uint8Array[] | undefined = [];
  readonly onOutput = (listener: (data: Uint8Array) => void): { dispose(): void } => {
    const subscription = this.output.event(listener);
    const early = this.early ?? [];
    this.early = undefined;
    for (const data of early) listener(data);
    return subscription;
  };
  readonly onExit = this.exited.event;
  readonly onDisconnect = this.dropped.event;
  readonly onGap = this.gaps.event;

  private received = 0;
  /** Until shown otherwise, the relay's sequence numbers are byte offsets of the output. */
  private sequenceIsOffset = true;
  private attaches = 0;
  private ended = false;
  private stream: AttachStream | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private messageCounter = 0;
  private readonly clientId = randomBytes(6).toString('hex');

  private constructor(
    private readonly client: RelayClient,
    readonly sessionId: string,
    private size: { cols: number; rows: number },
    private readonly owned: boolean,
  ) {}

  /** Attaches and resolves once the relay has accepted (StartSessionCommand), or rejects with its refusal. */
  static async connect(
    client: RelayClient,
    sessionId: string,
    options: { cols: number; rows: number; owned: boolean },
  ): Promise<AttachedSession> {
    const session = new AttachedSession(client, sessionId, { cols: options.cols, rows: options.rows }, options.owned);
    await session.attach();
    return session;
  }

  get bytesReceived(): number {
    return this.received;
  }

  async resume(): Promise<void> {
    if (this.ended) return;
    try {
      await this.attach();
    } catch (err) {
      this.dropped.fire(err as Error);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    const bytes = Buffer.from(data);
    for (let i = 0; i < bytes.length; i += MAX_INPUT_CHUNK) this.send({ output: { data: bytes.subarray(i, i + MAX_INPUT_CHUNK) } });
  }

  /** Remembered for the next attach too, whose RegisterRequest carries the size. */
  async resize(cols: number, rows: number): Promise<void> {
    this.size = { cols, rows };
    // While detached (reconnecting) the call only proves the relay answers; the next attach sends the size.
    if (!this.stream) await this.client.health();
    else this.send({ status: { reason: `resize:${cols}x${rows}` } });
  }

  async close(reason = 'closed by user'): Promise<void> {
    const wasRunning = !this.ended;
    this.ended = true;
    this.dropStream();
    if (wasRunning && this.owned) await this.client.closeSession(this.sessionId, reason).catch(() => undefined);
  }

  private send(payload: Omit<AgentMessage, 'session_id' | 'message_id'>): void {
    const stream = this.stream;
    if (!stream || this.ended) throw new Error(`not connected to session ${this.sessionId}`);
    stream.write({ session_id: this.sessionId, message_id: `${this.clientId}-${++this.messageCounter}`, ...payload } as AgentMessage);
  }

  private attach(): Promise<void> {
    this.dropStream();
    const generation = ++this.attaches;
    const firstAttach = generation === 1;
    return this.client.connectTerminal().then(
      (stream) =>
        new Promise<void>((resolve, reject) => {
          let accepted = false;
          let closed = false;
          this.stream = stream;
          const current = () => this.stream === stream && !this.ended;
          stream.on('data', (message: ControlMessage) => {
            if (!current()) return;
            if (message.start_session && !accepted) {
              accepted = true;
              resolve();
            } else if (message.input) {
              this.deliver(message.input.data, Number(message.input.sequence), firstAttach);
            } else if (message.close_session) {
              closed = true;
              this.finish(exitFromReason(message.close_session.reason));
            } else if (message.payload === 'ping') {
              this.send({ heartbeat: {} });
            }
          });
          const broke = (err: Error) => {
            if (!accepted) return reject(this.client.describeError(err));
            if (current() && !closed) this.dropped.fire(this.client.describeError(err));
          };
          stream.on('error', (err: Error & { code?: number }) => {
            if (err.code === CANCELLED && !current()) return;
            broke(err);
          });
          stream.on('end', () => {
            if (!closed) broke(new Error('the relay closed the terminal stream'));
          });
          stream.write({
            session_id: this.sessionId,
            message_id: `${this.clientId}-${++this.messageCounter}`,
            register: { version: ATTACH_VERSION, hostname: '', platform: process.platform, has_shell: true, initial_size: this.size },
          });
          this.heartbeat = setInterval(() => current() && this.send({ heartbeat: {} }), HEARTBEAT_MS);
          this.heartbeat.unref?.();
        }),
    );
  }

  /** Shows output once: on a re-attach the relay replays its buffer, of which we may have shown part. */
  private deliver(data: Buffer, sequence: number, firstAttach: boolean): void {
    if (data.length === 0) return;
    const show = (bytes: Uint8Array) => (this.early ? this.early.push(bytes) : this.output.fire(bytes));
    if (firstAttach) {
      if (this.sequenceIsOffset && this.received > 0 && sequence !== this.received) this.sequenceIsOffset = false;
      this.received = (this.sequenceIsOffset ? sequence : this.received) + data.length;
      show(data);
      return;
    }
    if (!this.sequenceIsOffset) {
      show(data);
      return;
    }
    if (sequence > this.received) this.gaps.fire(sequence - this.received);
    const fresh = sequence < this.received ? data.subarray(this.received - sequence) : data;
    this.received = Math.max(this.received, sequence + data.length);
    if (fresh.length > 0) show(fresh);
  }

  private finish(exit: SessionExit): void {
    if (this.ended) return;
    this.ended = true;
    this.dropStream();
    this.exited.fire(exit);
  }

  detach(): void {
    this.ended = true;
    this.dropStream();
  }

  private dropStream(): void {
    clearInterval(this.heartbeat);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.end();
      stream.cancel();
    }
  }
}
