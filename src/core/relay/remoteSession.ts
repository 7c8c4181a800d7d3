import { Emitter } from '../emitter';
import { AttachedSession } from './attachedSession';
import { MarkedCommandSession } from './markedCommand';
import type { OutputEvent, RelayClient } from './relayClient';

export interface SessionExit {
  code: number;
  signal: number;
  reason: string;
}

export interface OpenOptions {
  /** Run this once and end with its exit code; without it, an interactive shell. */
  command?: string;
  cols: number;
  rows: number;
}

/**
 * One terminal session on a machine, the same to its user whichever way the relay is spoken: this
 * project's extensions (StreamSessionOutput, CreateSessionRequest.command) where the relay has them,
 * upstream CMDOP (ConnectTerminal attach; a command typed between exit-code markers) where it has not.
 */
export interface RemoteSession {
  readonly sessionId: string;
  readonly onOutput: (listener: (data: Uint8Array) => void) => { dispose(): void };
  readonly onExit: (listener: (exit: SessionExit) => void) => { dispose(): void };
  /** The stream broke before the session ended; call resume() to continue where it stopped. */
  readonly onDisconnect: (listener: (err: Error) => void) => { dispose(): void };
  /** Bytes the server no longer had when we resumed (it keeps a bounded buffer). */
  readonly onGap: (listener: (lost: number) => void) => { dispose(): void };
  readonly bytesReceived: number;
  resume(): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Ends a session this side opened; only detaches from one it attached to. */
  close(reason?: string): Promise<void>;
  /** Stops following the session without ending it (attached terminals: the session lives on). */
  detach(): void;
}

export const RemoteSession = {
  /** Opens a new session on the machine named by `hostname` (hostname, machine id or agent session id). */
  async open(client: RelayClient, hostname: string, options: OpenOptions): Promise<RemoteSession> {
    const { extensions, openInStream } = await client.capabilities();
    if (openInStream) return StreamedSession.openInStream(client, hostname, options);
    if (extensions) return StreamedSession.open(client, hostname, options);
    const sessionId = await client.createSession(hostname, { cols: options.cols, rows: options.rows });
    const attached = await AttachedSession.connect(client, sessionId, { cols: options.cols, rows: options.rows, owned: true });
    return options.command === undefined ? attached : MarkedCommandSession.start(attached, options.command);
  },

  /**
   * Joins a session that is already running (a machine's shared agent session, or one a teammate opened):
   * its output from the first byte the relay still holds, then live — StreamSessionOutput from offset 0
   * where the relay has it, ConnectTerminal attach otherwise. close() detaches and leaves the session running.
   */
  async attach(
    client: RelayClient,
    sessionId: string,
    options: { cols: number; rows: number } = { cols: 80, rows: 24 },
  ): Promise<RemoteSession> {
    const { extensions } = await client.capabilities();
    if (!extensions) return AttachedSession.connect(client, sessionId, { ...options, owned: false });
    const session = new StreamedSession(client, sessionId, false);
    await session.resume();
    return session;
  },
};

/** An emitter that keeps what is fired before anyone listens and hands it to the first listener, in order. */
class HeldEmitter<T> {
  private readonly emitter = new Emitter<T>();
  private held: T[] | undefined = [];

  readonly event = (listener: (value: T) => void): { dispose(): void } => {
    const subscription = this.emitter.event(listener);
    const held = this.held;
    this.held = undefined;
    for (const value of held ?? []) listener(value);
    return subscription;
  };

  fire(value: T): void {
    if (this.held) this.held.push(value);
    else this.emitter.fire(value);
  }
}

/**
 * A session over this project's extension: output streamed in order and resumed from the last byte seen
 * after a dropped connection; input sent one call at a time so keystrokes never overtake each other.
 */
export class StreamedSession implements RemoteSession {
  // Held until the first listener: a stream that opened its own session may deliver before open() has returned.
  private readonly output = new HeldEmitter<Uint8Array>();
  private readonly exited = new HeldEmitter<SessionExit>();
  private readonly dropped = new Emitter<Error>();
  private readonly gaps = new Emitter<number>();
  readonly onOutput = this.output.event;
  readonly onExit = this.exited.event;
  /** The stream broke before the session ended; call resume() to continue where it stopped. */
  readonly onDisconnect = this.dropped.event;
  /** Bytes the server no longer had when we resumed (it keeps a bounded buffer). */
  readonly onGap = this.gaps.event;

  private received = 0;
  private ended = false;
  private stream: Awaited<ReturnType<RelayClient['streamOutput']>> | undefined;
  private streamGeneration = 0;
  private pendingInput: Uint8Array[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly client: RelayClient,
    private id: string,
    /** Opened by this side, so close() ends it; otherwise close() only stops following it. */
    private readonly owned: boolean,
  ) {}

  get sessionId(): string {
    return this.id;
  }

  static async open(client: RelayClient, hostname: string, options: OpenOptions): Promise<StreamedSession> {
    const id = await client.createSession(hostname, options);
    const session = new StreamedSession(client, id, true);
    await session.resume();
    return session;
  }

  /**
   * Opens the session and follows its output in one call (the relay's open-in-stream extension): resolves once
   * the relay names the session, rejects with the relay's refusal. Later drops resume by id, as for any session.
   */
  static async openInStream(client: RelayClient, hostname: string, options: OpenOptions): Promise<StreamedSession> {
    const session = new StreamedSession(client, '', true);
    const stream = await client.openAndStream(hostname, options);
    await new Promise<void>((resolve, reject) => {
      const refused = (err: Error & { code?: number }) => reject(client.describeError(err));
      const ended = () => reject(new Error(`the relay ended the stream before opening a session on ${hostname}`));
      // Kept (not once): a refused stream must never be left without an error listener.
      stream.on('error', refused);
      stream.once('end', ended);
      stream.once('data', (event: OutputEvent) => {
        stream.off('error', refused).off('end', ended);
        if (!('opened' in event && event.opened)) {
          stream.on('error', () => undefined).cancel();
          return reject(new Error(`the relay did not name the session it opened on ${hostname}`));
        }
        session.id = event.opened.session_id;
        session.streamGeneration++;
        session.follow(stream);
        resolve();
      });
    });
    return session;
  }

  /** Stops following the session without ending it (for attached terminals: the session lives on). */
  detach(): void {
    this.ended = true;
    this.stream?.cancel();
  }

  get bytesReceived(): number {
    return this.received;
  }

  async resume(): Promise<void> {
    if (this.ended) return;
    const generation = ++this.streamGeneration;
    this.stream?.cancel();
    this.stream = undefined;
    let stream: Awaited<ReturnType<RelayClient['streamOutput']>>;
    try {
      stream = await this.client.streamOutput(this.sessionId, this.received);
    } catch (err) {
      if (generation === this.streamGeneration) this.dropped.fire(this.client.describeError(err));
      return;
    }
    if (generation !== this.streamGeneration || this.ended) {
      stream.cancel();
      return;
    }
    this.follow(stream);
  }

  /** Takes the session's output, gaps and exit from `stream`, and its breaking as a disconnect. */
  private follow(stream: Awaited<ReturnType<RelayClient['streamOutput']>>): void {
    this.stream = stream;
    let sawExit = false;
    stream.on('data', (event: OutputEvent) => {
      if ('output' in event && event.output) {
        const data = event.output.data;
        const at = Number(event.output.offset);
        // Skip anything already delivered, in case the server resent from an earlier offset.
        const fresh = at < this.received ? data.subarray(this.received - at) : data;
        if (fresh.length === 0) return;
        this.received = at + data.length;
        this.output.fire(fresh);
      } else if ('gap' in event && event.gap) {
        const lost = Number(event.gap.resumed_offset) - Number(event.gap.requested_offset);
        this.received = Number(event.gap.resumed_offset);
        this.gaps.fire(lost);
      } else if ('exit' in event && event.exit) {
        sawExit = true;
        this.ended = true;
        this.exited.fire({ code: event.exit.exit_code, signal: event.exit.signal, reason: event.exit.reason });
      }
    });
    const broke = (err: Error) => {
      if (this.stream !== stream || sawExit || this.ended) return;
      this.dropped.fire(this.client.describeError(err));
    };
    stream.on('error', (err: Error & { code?: number }) => {
      if (err.code === 1 /* CANCELLED by us */) return;
      broke(err);
    });
    stream.on('end', () => {
      if (!sawExit) broke(new Error('the relay closed the output stream'));
    });
  }

  /** Queues input; bursts typed while a call is in flight go out together, in order. */
  write(data: Uint8Array): Promise<void> {
    this.pendingInput.push(data);
    this.sending ??= this.flush().finally(() => (this.sending = undefined));
    return this.sending;
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.client.resize(this.sessionId, cols, rows);
  }

  async close(reason = 'closed by user'): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      if (this.owned) await this.client.closeSession(this.sessionId, reason).catch(() => undefined);
    }
    this.stream?.cancel();
  }

  private async flush(): Promise<void> {
    while (this.pendingInput.length > 0) {
      const batch = Buffer.concat(this.pendingInput.splice(0));
      // The relay takes at most 64 KiB per call.
      for (let i = 0; i < batch.length; i += 60_000) await this.client.sendInput(this.sessionId, batch.subarray(i, i + 60_000));
    }
  }
}
