import * as vscode from 'vscode';
import type { RelayClient } from '../core/relay/relayClient';
import type { RelayPool } from '../core/relay/relayPool';
import { RemoteSession, type SessionExit } from '../core/relay/remoteSession';

const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;
const CTRL_C = '\x03';

/**
 * A VS Code terminal backed by a CMDOP session. `command` runs once and reports its exit code;
 * without it the terminal is an interactive shell on the machine.
 */
export class RemoteTerminal implements vscode.Pseudoterminal {
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;
  private session: RemoteSession | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private state: 'opening' | 'live' | 'disconnected' | 'exited' = 'opening';
  private exitCode = 0;
  private dims: vscode.TerminalDimensions | undefined;

  constructor(
    private readonly client: RelayClient,
    private readonly hostname: string,
    private readonly command: string | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly pool: RelayPool,
  ) {}

  private poolReset: { dispose(): void } | undefined;

  async open(initial: vscode.TerminalDimensions | undefined): Promise<void> {
    this.dims = initial;
    this.writes.fire(dim(`Connecting to ${this.hostname} in fleet ${this.client.target.fleetName}…`) + '\r\n');
    try {
      this.session = await RemoteSession.open(this.client, this.hostname, {
        command: this.command,
        cols: initial?.columns ?? 80,
        rows: initial?.rows ?? 24,
      });
    } catch (err) {
      this.state = 'exited';
      this.exitCode = 1;
      this.writes.fire(`\x1b[31m${(err as Error).message}\x1b[0m\r\n` + dim('Press any key to close.'));
      return;
    }
    this.state = 'live';
    this.poolReset = this.pool.onWillReset(() => this.credentialsChanged());
    this.session.onOutput((bytes) => this.writes.fire(this.decoder.decode(bytes, { stream: true })));
    this.session.onGap((lost) => this.writes.fire(`\r\n\x1b[33m[${lost} bytes of output were dropped by the relay while disconnected]\x1b[0m\r\n`));
    this.session.onExit((exit) => this.finished(exit));
    this.session.onDisconnect((err) => this.disconnected(err));
  }

  handleInput(data: string): void {
    if (this.state === 'exited') {
      this.closes.fire(this.exitCode);
      return;
    }
    if (this.state === 'disconnected') {
      if (data.toLowerCase() === 'r') this.reconnect();
      else if (data.toLowerCase() === 'q' || data === CTRL_C) this.closes.fire(1);
      return;
    }
    // Ctrl-C travels as the byte a real terminal sends, so the remote PTY raises SIGINT in the foreground job.
    void this.session?.write(Buffer.from(data, 'utf8')).catch((err) => this.log.warn(`input to ${this.hostname} failed: ${(err as Error).message}`));
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.dims = dimensions;
    if (this.state === 'live') void this.session?.resize(dimensions.columns, dimensions.rows).catch(() => undefined);
  }

  close(): void {
    this.poolReset?.dispose();
    void this.session?.close('terminal closed');
  }

  /** Fleet switch, sign-out or a key change closes the relay channels; this session ends with them. */
  private credentialsChanged(): void {
    if (this.state === 'exited') return;
    this.state = 'exited';
    this.exitCode = 1;
    this.poolReset?.dispose();
    void this.session?.close('fleet or credential changed');
    this.writes.fire(`\r\n${dim('[The active fleet or credential changed, so this session was closed.] Press any key to close.')}`);
  }

  private finished(exit: SessionExit): void {
    this.poolReset?.dispose();
    this.state = 'exited';
    this.exitCode = exit.signal ? 128 + exit.signal : exit.code;
    const how = exit.signal ? `killed by signal ${exit.signal}` : `exit code ${exit.code}`;
    this.writes.fire(this.decoder.decode() + `\r\n${dim(`[${this.hostname}: ${how}${exit.reason && exit.reason !== 'exited' ? `, ${exit.reason}` : ''}] Press any key to close.`)}`);
  }

  private disconnected(err: Error): void {
    this.state = 'disconnected';
    this.log.warn(`stream from ${this.hostname} dropped: ${err.message}`);
    this.writes.fire(`\r\n\x1b[33m[Connection to the relay was lost: ${err.message}]\x1b[0m\r\n` + dim('Press R to reconnect (output resumes where it stopped), Q to close.'));
    void vscode.window.showWarningMessage(`CMDOP: Lost the connection to ${this.hostname}.`, 'Reconnect').then((choice) => {
      if (choice === 'Reconnect') this.reconnect();
    });
  }

  private reconnect(): void {
    if (this.state !== 'disconnected' || !this.session) return;
    this.state = 'live';
    this.writes.fire(dim('Reconnecting…') + '\r\n');
    void this.session.resume();
    if (this.dims) void this.session.resize(this.dims.columns, this.dims.rows).catch(() => undefined);
  }
}
