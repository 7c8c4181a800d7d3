import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { showError, showWarning } from './notify';
import type { RelayClient } from '../core/relay/relayClient';
import type { RelayPool } from '../core/relay/relayPool';
import { RemoteSession } from '../core/relay/remoteSession';
import { TerminalConnection, type TerminalNotice } from '../core/relay/terminalConnection';
import { transcriptFileName } from '../core/relay/transcriptFileName';

/**
 * A VS Code terminal backed by a CMDOP session. `command` runs once and reports its exit code; without it the
 * terminal is an interactive shell on the machine. Every decision (reconnects, held input, a shell gone with its
 * machine or relay, refused credentials) is TerminalConnection's; this adapter only carries text and keys.
 */
export class RemoteTerminal implements vscode.Pseudoterminal {
  private readonly connection: TerminalConnection;
  readonly onDidWrite: vscode.Event<string>;
  readonly onDidClose: vscode.Event<number>;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    client: RelayClient,
    hostname: string,
    command: string | undefined,
    log: vscode.LogOutputChannel,
    pool: RelayPool,
    /** Join this running session instead of opening one; `readOnly` (Guests) never sends input. */
    join?: { sessionId: string; readOnly: boolean },
  ) {
    this.connection = new TerminalConnection({
      hostname,
      fleetName: client.target.fleetName,
      command,
      join,
      openSession: (size) =>
        join
          ? RemoteSession.attach(client, join.sessionId)
          : RemoteSession.open(client, hostname, { command, cols: size?.columns ?? 80, rows: size?.rows ?? 24 }),
      health: () => client.health(),
      renewCredential: client.target.renewCredential,
      onCredentialsChange: (listener) => pool.onWillReset(listener),
      log,
    });
    this.onDidWrite = this.connection.onDidWrite;
    this.onDidClose = this.connection.onDidClose;
    this.subscriptions = [
      this.connection.onNotice((notice) => this.show(notice)),
      // The walkthrough's "Open a shell" step completes on a real shell, however it was opened.
      this.connection.onShellOpened(() => void vscode.commands.executeCommand('setContext', 'cmdop.shellOpened', true)),
      recordTranscript(this.onDidWrite, hostname),
    ];
  }

  open(initial: vscode.TerminalDimensions | undefined): void {
    this.connection.open(initial);
  }

  handleInput(data: string): void {
    this.connection.handleInput(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.connection.setDimensions(dimensions);
  }

  close(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.connection.close();
  }

  private show(notice: TerminalNotice): void {
    if (notice.level === 'error') {
      void showError(notice.message);
      return;
    }
    const buttons = notice.reconnect ? ['Reconnect'] : [];
    void showWarning(notice.message, ...buttons).then((choice) => {
      if (choice === 'Reconnect') this.connection.reconnect();
    });
  }
}

let transcripts = 0;

/**
 * Test support: with CMDOP_TERMINAL_TRANSCRIPT_DIR set, everything a terminal shows is also appended to a file
 * there (`<hostname>-<n>.log`, or a hashed name for a hostname unsafe in a file name), so e2e tests can check every byte; the page's DOM keeps only the visible rows.
 */
function recordTranscript(onDidWrite: vscode.Event<string>, hostname: string): { dispose(): void } {
  const dir = process.env.CMDOP_TERMINAL_TRANSCRIPT_DIR;
  if (!dir) return { dispose: () => undefined };
  const file = join(dir, transcriptFileName(hostname, ++transcripts));
  return onDidWrite((text) => appendFileSync(file, text));
}
