import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CredentialRefusedError } from '../core/errors';
import { ReconnectBackoff } from '../core/relay/reconnectPolicy';
import type { RelayClient } from '../core/relay/relayClient';
import { RelayCallError, Status } from '../core/relay/relayErrors';
import type { RelayPool } from '../core/relay/relayPool';
import { RemoteSession, type SessionExit } from '../core/relay/remoteSession';

const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;
const red = (text: string) => `\x1b[31m${text}\x1b[0m`;
const CTRL_C = '\x03';
/** Exit reasons the fleet server gives when the machine itself went away. */
const MACHINE_GONE = /machine stopped|agent lost|offline/i;

/** Errors no retry can fix: the credential or the permission is gone, or the session no longer exists. */
function isFinal(err: Error): boolean {
  if (err instanceof CredentialRefusedError) return true;
  return (
    err instanceof RelayCallError &&
    (err.code === Status.PERMISSION_DENIED || err.code === Status.NOT_FOUND || err.code === Status.UNAUTHENTICATED)
  );
}

/** The relay says the session itself is over (it ended while the connection was down): retrying cannot help. */
function sessionEnded(err: Error): boolean {
  return err instanceof RelayCallError && err.code === Status.FAILED_PRECONDITION && /\b(closed|ended)\b/i.test(err.message);
}

/**
 * A VS Code terminal backed by a CMDOP session. `command` runs once and reports its exit code;
 * without it the terminal is an interactive shell on the machine. A dropped relay connection is retried on its
 * own (capped exponential backoff) and output resumes from the last byte shown.
 */
export class RemoteTerminal implements vscode.Pseudoterminal {
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;
  private session: RemoteSession | undefined;
  private decoder = new TextDecoder('utf-8');
  /** 'reconnecting': retrying on its own; 'stalled': gave up retrying, waits for R; 'offline': the machine went away. */
  private state: 'opening' | 'live' | 'reconnecting' | 'stalled' | 'offline' | 'exited' = 'opening';
  private exitCode = 0;
  private dims: vscode.TerminalDimensions | undefined;
  private readonly backoff = new ReconnectBackoff();
  private retryTimer: NodeJS.Timeout | undefined;
  private poolReset: { dispose(): void } | undefined;
  private sessionEvents: { dispose(): void }[] = [];
  /** Typed input not yet accepted by the relay, oldest first. */
  private heldInput: string[] = [];
  private sendingInput = false;
  private renewedCredential = false;

  private lastReadOnlyNotice = 0;

  constructor(
    private readonly client: RelayClient,
    private readonly hostname: string,
    private readonly command: string | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly pool: RelayPool,
    /** Join this running session instead of opening one; `readOnly` (Guests) never sends input. */
    private readonly join?: { sessionId: string; readOnly: boolean },
  ) {
    recordTranscript(this.onDidWrite, hostname);
  }

  open(initial: vscode.TerminalDimensions | undefined): void {
    this.dims = initial;
    this.poolReset = this.pool.onWillReset(() => this.credentialsChanged());
    this.writes.fire(dim(`Connecting to ${this.hostname} in fleet ${this.client.target.fleetName}…`) + '\r\n');
    void this.start();
  }

  /** Opens a new session on the machine (first open, or Reconnect after the machine came back). */
  private async start(): Promise<void> {
    try {
      this.attach(
        this.join
          ? await RemoteSession.attach(this.client, this.join.sessionId)
          : await RemoteSession.open(this.client, this.hostname, {
              command: this.command,
              cols: this.dims?.columns ?? 80,
              rows: this.dims?.rows ?? 24,
            }),
      );
    } catch (err) {
      const error = err as Error;
      if (this.state === 'offline') {
        this.writes.fire(`${red(`${this.hostname} is still offline: ${error.message}`)}\r\n` + dim('Press R to try again, Q to close.'));
        return;
      }
      this.end(1, `${red(error.message)}\r\n${dim('Press any key to close.')}`);
      return;
    }
    this.state = 'live';
    this.sendHeldInput();
    // The walkthrough's "Open a shell" step completes on a real shell, however it was opened.
    if (!this.command) void vscode.commands.executeCommand('setContext', 'cmdop.shellOpened', true);
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
        this.writes.fire(`\r\n\x1b[33m[${lost} bytes of output were dropped by the relay while disconnected]\x1b[0m\r\n`),
      ),
      session.onExit((exit) => this.finished(exit)),
      session.onDisconnect((err) => this.disconnected(err)),
    ];
  }

  handleInput(data: string): void {
    if (this.state === 'exited') {
      this.closes.fire(this.exitCode);
      return;
    }
    if (this.state === 'stalled' || this.state === 'offline') {
      if (data.toLowerCase() === 'r') this.manualReconnect();
      else if (data.toLowerCase() === 'q' || data === CTRL_C) this.closes.fire(1);
      return;
    }
    if (this.join?.readOnly) {
      // Refused here with a clear line (the relay refuses a Guest's input anyway); at most one line a second.
      if (Date.now() - this.lastReadOnlyNotice > 1000) {
        this.lastReadOnlyNotice = Date.now();
        this.writes.fire(
          `\r\n\x1b[33m[Read-only: you are a Guest in fleet ${this.client.target.fleetName}, so your input is not sent.]\x1b[0m\r\n`,
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
          } else this.log.warn(`input to ${this.hostname} failed: ${err.message}`);
        },
      )
      .finally(() => {
        this.sendingInput = false;
        setTimeout(() => this.state === 'live' && this.sendHeldInput(), again);
      });
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.dims = dimensions;
    // An attached terminal follows the session's size: resizing it would resize everyone's shell.
    if (this.state === 'live' && !this.join) void this.session?.resize(dimensions.columns, dimensions.rows).catch(() => undefined);
  }

  close(): void {
    this.stopRetrying();
    this.poolReset?.dispose();
    this.leave('terminal closed');
  }

  /** Ends the session this terminal opened; an attached terminal only stops following it. */
  private leave(reason: string): void {
    if (this.join) this.session?.detach();
    else void this.session?.close(reason);
  }

  /** Fleet switch, sign-out or a key change closes the relay channels; this session ends with them. */
  private credentialsChanged(): void {
    if (this.state === 'exited') return;
    this.stopRetrying();
    this.leave('fleet or credential changed');
    this.end(1, `\r\n${dim('[The active fleet or credential changed, so this session was closed.] Press any key to close.')}`);
  }

  private finished(exit: SessionExit): void {
    this.stopRetrying();
    const tail = this.decoder.decode();
    if (MACHINE_GONE.test(exit.reason) && !this.command) {
      // The shell is gone with the machine; a new one can be opened when it is back.
      this.state = 'offline';
      // Typed for the shell that is gone (while the connection was down): never replayed into the next one.
      const unsent = this.heldInput.splice(0).join('');
      const dropped = unsent ? `\r\n${dim(`[${describeUnsent(unsent)} not sent: the shell they were for is gone.]`)}` : '';
      this.writes.fire(
        tail +
          `\r\n\x1b[33m[${this.hostname} went offline]\x1b[0m ` +
          dim('Press R to open a new shell when it is back, Q to close.') +
          dropped,
      );
      void vscode.window.showWarningMessage(`CMDOP: ${this.hostname} went offline.`, 'Reconnect').then((choice) => {
        if (choice === 'Reconnect') this.manualReconnect();
      });
      return;
    }
    const code = exit.signal ? 128 + exit.signal : exit.code;
    const how = MACHINE_GONE.test(exit.reason)
      ? `${this.hostname} went offline`
      : `${this.hostname}: ${exit.signal ? `killed by signal ${exit.signal}` : `exit code ${exit.code}`}${exit.reason && exit.reason !== 'exited' ? `, ${exit.reason}` : ''}`;
    this.end(code, tail + `\r\n${dim(`[${how}] Press any key to close.`)}`);
  }

  private disconnected(err: Error): void {
    if (this.state === 'exited' || this.state === 'offline') return;
    this.log.warn(`stream from ${this.hostname} dropped: ${err.message}`);
    if (sessionEnded(err)) return this.endedWhileAway(err);
    if (err instanceof CredentialRefusedError && err.source === 'oauth' && /expired/i.test(err.reason) && !this.renewedCredential) {
      // An access token that expired under the open shell: refresh it and carry on, once per drop.
      this.renewedCredential = true;
      void (this.client.target.renewCredential?.() ?? Promise.resolve()).catch((e: Error) =>
        this.log.warn(`token refresh failed: ${e.message}`),
      );
    } else if (isFinal(err)) {
      this.stopRetrying();
      this.leave('credential refused');
      const what = err instanceof CredentialRefusedError ? credentialAdvice(err) : '';
      this.end(1, `\r\n${red(`[${err.message}]`)}\r\n${dim(`${what}Press any key to close.`)}`);
      void vscode.window.showErrorMessage(`CMDOP: ${this.hostname}: ${err.message}`);
      return;
    }
    if (this.state !== 'reconnecting') {
      this.state = 'reconnecting';
      // One dim line, not one per attempt.
      this.writes.fire(`\r\n${dim(`[Connection to the relay lost (${err.message}); reconnecting…]`)}\r\n`);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const wait = this.backoff.nextDelay();
    if (wait === undefined) {
      this.state = 'stalled';
      this.writes.fire(dim('[Still no connection after 2 minutes.] Press R to reconnect (output resumes where it stopped), Q to close.'));
      void vscode.window.showWarningMessage(`CMDOP: Lost the connection to ${this.hostname}.`, 'Reconnect').then((choice) => {
        if (choice === 'Reconnect') this.manualReconnect();
      });
      return;
    }
    this.retryTimer = setTimeout(() => void this.attemptResume(), wait);
  }

  /** One attempt: a unary call proves the relay answers (and resizes the PTY to this terminal), then output resumes. */
  private async attemptResume(): Promise<void> {
    if (this.state !== 'reconnecting' || !this.session) return;
    try {
      if (this.dims && !this.join) await this.session.resize(this.dims.columns, this.dims.rows);
      else await this.client.health();
    } catch (err) {
      const error = err as Error;
      if (isFinal(error) || sessionEnded(error)) return this.disconnected(error);
      this.log.info(`reconnect to ${this.hostname} failed: ${error.message}`);
      return this.scheduleRetry();
    }
    // A failure of the stream itself comes back through onDisconnect and schedules the next attempt.
    await this.session.resume();
    if (this.state === 'reconnecting') this.reconnected();
  }

  /** The session ended while the connection was down (e.g. its machine stopped): say so instead of retrying. */
  private endedWhileAway(err: Error): void {
    this.stopRetrying();
    this.log.info(`${this.hostname}: the session ended while the connection was down: ${err.message}`);
    if (MACHINE_GONE.test(err.message) && !this.command) {
      this.finished({ code: -1, signal: 0, reason: err.message });
      return;
    }
    this.end(
      1,
      `\r\n${dim(`[${this.hostname}: the session ended while the connection was down (${err.message})] Press any key to close.`)}`,
    );
  }

  private reconnected(): void {
    this.state = 'live';
    this.backoff.reset();
    this.renewedCredential = false;
    this.sendHeldInput();
    this.log.info(`reconnected to ${this.hostname}; output resumes at byte ${this.session?.bytesReceived ?? 0}`);
  }

  private manualReconnect(): void {
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
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private end(code: number, text: string): void {
    this.state = 'exited';
    this.exitCode = code;
    this.poolReset?.dispose();
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

let transcripts = 0;

/**
 * Test support: with CMDOP_TERMINAL_TRANSCRIPT_DIR set, everything a terminal shows is also appended to a file
 * there (`<hostname>-<n>.log`), so e2e tests can check every byte; the page's DOM keeps only the visible rows.
 */
function recordTranscript(onDidWrite: vscode.Event<string>, hostname: string): void {
  const dir = process.env.CMDOP_TERMINAL_TRANSCRIPT_DIR;
  if (!dir) return;
  const file = join(dir, `${hostname.replace(/[^\w.-]/g, '_')}-${++transcripts}.log`);
  onDidWrite((text) => appendFileSync(file, text));
}
