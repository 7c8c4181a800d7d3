import { terminalText } from '../display/safeText';
import { Emitter } from '../emitter';
import { CredentialRefusedError } from '../errors';
import { commandOutcome } from './commandRun';
import { ReconnectBackoff } from './reconnectPolicy';
import { RelayCallError, Status } from './relayErrors';
import type { RemoteSession, SessionExit } from './remoteSession';

/**
 * Every status line this terminal writes goes through one of these, the one place its text is made safe: it
 * carries hostnames, fleet names and relay error texts, and none of their escape sequences, controls or bidi
 * overrides may reach the terminal (only the shell's own output does, unchanged).
 */
const styled = (sgr: string) => (text: string) => `\x1b[${sgr}m${terminalText(text)}\x1b[0m`;
const dim = styled('2');
const red = styled('31');
const yellow = styled('33');
const CTRL_C = '\x03';
/** Exit reasons the fleet server gives when the machine itself went away. */
const MACHINE_GONE = /machine stopped|agent lost|offline/i;

/** Errors no retry can fix: the credential or the permission is gone. */
function isFinal(err: Error): boolean {
  if (err instanceof CredentialRefusedError) return true;
  return err instanceof RelayCallError && (err.code === Status.PERMISSION_DENIED || err.code === Status.UNAUTHENTICATED);
}

/** The relay says the session itself is over (it ended while the connection was down): retrying cannot help. */
function sessionEnded(err: Error): boolean {
  return err instanceof RelayCallError && err.code === Status.FAILED_PRECONDITION && /\b(closed|ended)\b/i.test(err.message);
}

/** The relay answers again but no longer knows the session: it restarted, and the shell ended with it. */
function sessionForgotten(err: Error): boolean {
  return err instanceof RelayCallError && err.code === Status.NOT_FOUND;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Timers and clock, injected so the whole state machine runs under fake time in unit tests. */
export interface TerminalClock {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realClock: TerminalClock = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface TerminalConnectionOptions {
  hostname: string;
  fleetName: string;
  /** Run this once and report its exit code; without it, an interactive shell. */
  command?: string;
  /** Join this running session instead of opening one; `readOnly` (Guests) never sends input. */
  join?: { sessionId: string; readOnly: boolean };
  /** Opens (or, with `join`, attaches to) the session. */
  openSession(size: TerminalSize | undefined): Promise<RemoteSession>;
  /** A unary call that proves the relay answers. */
  health(): Promise<unknown>;
  /**
   * The relay refused the OAuth access token: have the session checked with the identity provider (a refresh). An
   * expired token is renewed and the shell goes on; a revoked or forgotten session ends in every window.
   */
  renewCredential?: () => Promise<void>;
  /** Fleet switch, sign-out or a key change: the relay channels close and this session ends with them. */
  onCredentialsChange(listener: () => void): { dispose(): void };
  log: { info(message: string): void; warn(message: string): void };
  clock?: TerminalClock;
}

/** Something the person should see outside the terminal; `reconnect` offers a Reconnect button. */
export interface TerminalNotice {
  level: 'warning' | 'error';
  message: string;
  reconnect: boolean;
}

/** 'reconnecting': retrying on its own; 'stalled': gave up retrying, waits for R; 'offline': the shell is gone, R opens a new one. */
type State = 'opening' | 'live' | 'reconnecting' | 'stalled' | 'offline' | 'exited';

/**
 * The connection behind a remote terminal, as a pure state machine: opening, live, a dropped stream retried with
 * capped backoff and resumed from the last byte shown, input held while down and sent once, a machine or relay that
 * took the shell with it (R opens a new one; nothing typed for the old one is replayed), and errors no retry can fix.
 */
export class TerminalConnection {
  private readonly writes = new Emitter<string>();
  private readonly closes = new Emitter<number>();
  private readonly notices = new Emitter<TerminalNotice>();
  private readonly shells = new Emitter<void>();
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;
  readonly onNotice = this.notices.event;
  /** A real shell is open (the walkthrough's "Open a shell" step). */
  readonly onShellOpened = this.shells.event;
  private state: State = 'opening';
  private session: RemoteSession | undefined;
  private decoder = new TextDecoder('utf-8');
  private exitCode = 0;
  private size: TerminalSize | undefined;
  private readonly clock: TerminalClock;
  private readonly backoff: ReconnectBackoff;
  private retryTimer: unknown;
  private credentialWatch: { dispose(): void } | undefined;
  private sessionEvents: { dispose(): void }[] = [];
  /** Typed input not yet accepted by the relay, oldest first. */
  private heldInput: string[] = [];
  private sendingInput = false;
  private renewedCredential = false;
  private lastReadOnlyNotice = -Infinity;
  /** Why the shell is gone while 'offline': its machine, or the relay that restarted. */
  private goneWith: 'machine' | 'relay' = 'machine';

  constructor(private readonly options: TerminalConnectionOptions) {
    this.clock = options.clock ?? realClock;
    this.backoff = new ReconnectBackoff({ now: () => this.clock.now() });
  }

  private get hostname(): string {
    return this.options.hostname;
  }

  open(size: TerminalSize | undefined): void {
    this.size = size;
    this.credentialWatch = this.options.onCredentialsChange(() => this.credentialsChanged());
    this.writes.fire(dim(`Connecting to ${this.hostname} in fleet ${this.options.fleetName}…`) + '\r\n');
    void this.start();
  }

  /** Opens a new session on the machine (first open, or R after the shell went away). */
  private async start(): Promise<void> {
    try {
      this.attach(await this.options.openSession(this.size));
    } catch (err) {
      const error = err as Error;
      if (this.state === 'offline') {
        const still = this.goneWith === 'machine' ? `${this.hostname} is still offline` : `No new shell on ${this.hostname}`;
        this.writes.fire(`${red(`${still}: ${error.message}`)}\r\n` + dim('Press R to try again, Q to close.'));
        return;
      }
      this.end(1, `${red(error.message)}\r\n${dim('Press any key to close.')}`);
      return;
    }
    if (this.state === 'exited') return this.leave('terminal closed');
    this.state = 'live';
    this.sendHeldInput();
    if (!this.options.command) this.shells.fire();
  }

  private attach(session: RemoteSession): void {
    this.session = session;
    this.decoder = new TextDecoder('utf-8');
    this.sessionEvents = [
      session.onOutput((bytes) => {
        if (this.state === 'reconnecting') this.reconnected();
        this.writes.fire(this.decoder.decode(bytes, { stream: true }));
      }),
      session.onGap((lost) =>
        this.writes.fire(`\r\n${yellow(`[${lost} bytes of output were dropped by the relay while disconnected]`)}\r\n`),
      ),
      session.onExit((exit) => this.finished(exit)),
      session.onDisconnect((err) => this.disconnected(err)),
    ];
  }

  handleInput(data: string): void {
    if (this.state === 'exited') return this.closes.fire(this.exitCode);
    if (this.state === 'stalled' || this.state === 'offline') {
      if (data.toLowerCase() === 'r') this.reconnect();
      else if (data.toLowerCase() === 'q' || data === CTRL_C) this.closes.fire(1);
      return;
    }
    if (this.options.join?.readOnly) {
      // Refused here with a clear line (the relay refuses a Guest's input anyway); at most one line a second.
      if (this.clock.now() - this.lastReadOnlyNotice > 1000) {
        this.lastReadOnlyNotice = this.clock.now();
        this.writes.fire(
          `\r\n${yellow(`[Read-only: you are a Guest in fleet ${this.options.fleetName}, so your input is not sent.]`)}\r\n`,
        );
      }
      return;
    }
    // Ctrl-C travels as the byte a real terminal sends, so the remote PTY raises SIGINT in the foreground job.
    this.heldInput.push(data);
    if (this.state === 'live') this.sendHeldInput();
  }

  /**
   * Sends typed input in order, one call at a time. Input the relay refused as unavailable (the drop may not
   * have been noticed yet) stays held and goes out after the reconnect, so no keystroke is lost or reordered.
   */
  private sendHeldInput(): void {
    if (this.sendingInput || this.heldInput.length === 0 || !this.session) return;
    const batch = this.heldInput.splice(0);
    this.sendingInput = true;
    let again = 0;
    this.session
      .write(Buffer.from(batch.join(''), 'utf8'))
      .then(
        () => undefined,
        (err: Error) => {
          if (err instanceof RelayCallError && err.code === Status.UNAVAILABLE && this.state !== 'exited') {
            this.heldInput.unshift(...batch);
            // Usually the stream drop arrives at once and reconnected() sends it; if not, try again shortly.
            again = 500;
          } else this.options.log.warn(`input to ${this.hostname} failed: ${err.message}`);
        },
      )
      .finally(() => {
        this.sendingInput = false;
        this.clock.setTimeout(() => this.state === 'live' && this.sendHeldInput(), again);
      });
  }

  setDimensions(size: TerminalSize): void {
    this.size = size;
    // An attached terminal follows the session's size: resizing it would resize everyone's shell.
    if (this.state === 'live' && !this.options.join) void this.session?.resize(size.columns, size.rows).catch(() => undefined);
  }

  /** The terminal was closed: end the session (or stop following it) and release every listener. */
  close(): void {
    this.stopRetrying();
    this.credentialWatch?.dispose();
    this.leave('terminal closed');
    for (const e of this.sessionEvents.splice(0)) e.dispose();
    for (const emitter of [this.writes, this.closes, this.notices, this.shells]) emitter.dispose();
  }

  /** Ends the session this terminal opened; an attached terminal only stops following it. */
  private leave(reason: string): void {
    if (this.options.join) this.session?.detach();
    else void this.session?.close(reason).catch(() => undefined);
  }

  private credentialsChanged(): void {
    if (this.state === 'exited') return;
    this.stopRetrying();
    this.leave('fleet or credential changed');
    this.end(1, `\r\n${dim('[The active fleet or credential changed, so this session was closed.] Press any key to close.')}`);
  }

  private finished(exit: SessionExit): void {
    this.stopRetrying();
    const tail = this.decoder.decode();
    if (MACHINE_GONE.test(exit.reason) && !this.options.command) {
      // The shell is gone with the machine; a new one can be opened when it is back.
      this.wentAway(
        'machine',
        tail + `\r\n${yellow(`[${this.hostname} went offline]`)} ` + dim('Press R to open a new shell when it is back, Q to close.'),
      );
      this.notices.fire({ level: 'warning', message: `CMDOP: ${this.hostname} went offline.`, reconnect: true });
      return;
    }
    if (this.options.command && exit.reason !== 'exited') {
      // The command did not end by itself: no exit code to report, so the terminal ends as an error with the reason.
      const outcome = commandOutcome(this.hostname, exit);
      const text = 'message' in outcome ? outcome.message : `${this.hostname}: ${exit.reason}`;
      this.end(exit.code > 0 ? exit.code : 1, tail + `\r\n${dim(`[${text}] Press any key to close.`)}`);
      return;
    }
    const code = exit.signal ? 128 + exit.signal : exit.code;
    const how = MACHINE_GONE.test(exit.reason)
      ? `${this.hostname} went offline`
      : exit.code < 0 && !exit.signal
        ? `${this.hostname}: ${exit.reason}`
        : `${this.hostname}: ${exit.signal ? `killed by signal ${exit.signal}` : `exit code ${exit.code}`}${exit.reason && exit.reason !== 'exited' ? `, ${exit.reason}` : ''}`;
    this.end(code, tail + `\r\n${dim(`[${how}] Press any key to close.`)}`);
  }

  /** The shell is gone (with its machine or the relay): typed input for it is dropped, R opens a new one. */
  private wentAway(cause: 'machine' | 'relay', text: string): void {
    this.state = 'offline';
    this.goneWith = cause;
    // Typed for the shell that is gone (while the connection was down): never replayed into the next one.
    const unsent = this.heldInput.splice(0).join('');
    const dropped = unsent ? `\r\n${dim(`[${describeUnsent(unsent)} not sent: the shell they were for is gone.]`)}` : '';
    this.writes.fire(text + dropped);
  }

  private disconnected(err: Error): void {
    if (this.state === 'exited' || this.state === 'offline') return;
    this.options.log.warn(`stream from ${this.hostname} dropped: ${err.message}`);
    if (sessionEnded(err)) return this.endedWhileAway(err);
    if (sessionForgotten(err)) return this.relayRestarted(err);
    if (err instanceof CredentialRefusedError && err.source === 'oauth' && /expired/i.test(err.reason) && !this.renewedCredential) {
      // An access token that expired under the open shell: refresh it and carry on, once per drop.
      this.renewedCredential = true;
      void (this.options.renewCredential?.() ?? Promise.resolve()).catch((e: Error) =>
        this.options.log.warn(`token refresh failed: ${e.message}`),
      );
    } else if (isFinal(err)) {
      this.stopRetrying();
      this.leave('credential refused');
      // A revoked session (or one the identity provider forgot) must show as signed out everywhere, not only here.
      if (err instanceof CredentialRefusedError && err.source === 'oauth') this.askIdentityProvider();
      const what = err instanceof CredentialRefusedError ? credentialAdvice(err) : '';
      this.end(1, `\r\n${red(`[${err.message}]`)}\r\n${dim(`${what}Press any key to close.`)}`);
      this.notices.fire({ level: 'error', message: `CMDOP: ${this.hostname}: ${err.message}`, reconnect: false });
      return;
    }
    if (this.state !== 'reconnecting') {
      this.state = 'reconnecting';
      // One dim line, not one per attempt.
      this.writes.fire(`\r\n${dim(`[Connection to the relay lost (${err.message}); reconnecting…]`)}\r\n`);
    }
    this.scheduleRetry();
  }

  private askIdentityProvider(): void {
    void (this.options.renewCredential?.() ?? Promise.resolve()).catch((e: Error) =>
      this.options.log.info(`the OAuth session is over: ${e.message}`),
    );
  }

  private scheduleRetry(): void {
    this.stopRetrying();
    const wait = this.backoff.nextDelay();
    if (wait === undefined) {
      this.state = 'stalled';
      this.writes.fire(dim('[Still no connection after 2 minutes.] Press R to reconnect (output resumes where it stopped), Q to close.'));
      this.notices.fire({ level: 'warning', message: `CMDOP: Lost the connection to ${this.hostname}.`, reconnect: true });
      return;
    }
    this.retryTimer = this.clock.setTimeout(() => void this.attemptResume(), wait);
  }

  /** One attempt: a unary call proves the relay answers (and resizes the PTY to this terminal), then output resumes. */
  private async attemptResume(): Promise<void> {
    if (this.state !== 'reconnecting' || !this.session) return;
    try {
      if (this.size && !this.options.join) await this.session.resize(this.size.columns, this.size.rows);
      else await this.options.health();
    } catch (err) {
      const error = err as Error;
      if (isFinal(error) || sessionEnded(error) || sessionForgotten(error)) return this.disconnected(error);
      this.options.log.info(`reconnect to ${this.hostname} failed: ${error.message}`);
      return this.scheduleRetry();
    }
    // A failure of the stream itself comes back through onDisconnect and schedules the next attempt.
    await this.session.resume();
    if (this.state === 'reconnecting') this.reconnected();
  }

  /** The session ended while the connection was down (e.g. its machine stopped): say so instead of retrying. */
  private endedWhileAway(err: Error): void {
    this.stopRetrying();
    this.options.log.info(`${this.hostname}: the session ended while the connection was down: ${err.message}`);
    if (MACHINE_GONE.test(err.message) && !this.options.command) return this.finished({ code: -1, signal: 0, reason: err.message });
    this.end(
      1,
      `\r\n${dim(`[${this.hostname}: the session ended while the connection was down (${err.message})] Press any key to close.`)}`,
    );
  }

  /** The relay is back without the session: it restarted, and the shell on the machine ended with it. */
  private relayRestarted(err: Error): void {
    this.stopRetrying();
    this.options.log.info(`${this.hostname}: the relay no longer has the session (it restarted): ${err.message}`);
    if (this.options.command || this.options.join) {
      const what = this.options.command ? 'The command' : 'The session';
      return this.end(
        1,
        `\r\n${red(`[${what} on ${this.hostname} ended with the relay, which restarted.]`)}\r\n${dim('Press any key to close.')}`,
      );
    }
    this.wentAway(
      'relay',
      `\r\n${yellow(`[The shell on ${this.hostname} ended with the relay, which restarted.]`)} ` +
        dim(`Press R to open a new shell on ${this.hostname}, Q to close.`),
    );
  }

  private reconnected(): void {
    this.state = 'live';
    this.backoff.reset();
    this.renewedCredential = false;
    this.sendHeldInput();
    this.options.log.info(`reconnected to ${this.hostname}; output resumes at byte ${this.session?.bytesReceived ?? 0}`);
  }

  /** R or the notification's Reconnect: resume a stalled connection, or open a new shell after the old one went away. */
  reconnect(): void {
    this.backoff.reset();
    if (this.state === 'stalled') {
      this.state = 'reconnecting';
      this.writes.fire(`\r\n${dim('Reconnecting…')}\r\n`);
      void this.attemptResume();
    } else if (this.state === 'offline') {
      this.writes.fire(`\r\n${dim(`Opening a new shell on ${this.hostname}…`)}\r\n`);
      for (const e of this.sessionEvents.splice(0)) e.dispose();
      void this.start();
    }
  }

  private stopRetrying(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private end(code: number, text: string): void {
    this.state = 'exited';
    this.exitCode = code;
    this.credentialWatch?.dispose();
    this.writes.fire(text);
  }
}

/** "12 characters typed … were": the count only, since what was typed may be a password answered at a prompt. */
function describeUnsent(input: string): string {
  const count = [...input].length;
  return count === 1
    ? '1 character typed while the connection was down was'
    : `${count} characters typed while the connection was down were`;
}

/** What to do about a refused credential, by where it came from. */
function credentialAdvice(err: CredentialRefusedError): string {
  switch (err.source) {
    case 'oauth':
      return 'Run "CMDOP: Sign In" to sign in again, then open a new shell. ';
    case 'env':
      return 'Set CMDOP_API_KEY to a valid key (or unset it) and restart VS Code. ';
    case 'explicit':
      return 'Pass a valid key. ';
    default:
      return 'Replace the key with "CMDOP: Add Fleet API Key" (or remove it with "CMDOP: Remove Fleet API Key"). ';
  }
}
