import type { Machine } from '../fleet/machine';
import { OutputBuffer } from './outputBuffer';

export type EndReason = 'exited' | 'closed' | 'machine stopped' | 'agent lost';

export interface SessionEnd {
  exitCode: number;
  signal: number;
  reason: EndReason;
}

export type SessionEvent = { type: 'output'; offset: number; data: Uint8Array } | { type: 'end'; end: SessionEnd };

export interface SessionOrigin {
  actor: string;
  /** A machine's long-lived agent session, shared by all its users (not one CreateSession's). */
  shared?: boolean;
  command?: string;
  shell: string;
  cwd: string;
}

/** One PTY on one machine, as the relay sees it: its output history and how it ended. */
export class TerminalSession {
  readonly createdAt = new Date();
  readonly output: OutputBuffer;
  state: 'running' | 'closing' | 'ended' = 'running';
  end?: SessionEnd;
  inputCount = 0;
  /** ConnectTerminal attach streams currently open on it. */
  attachedClients = 0;
  readonly ended: Promise<SessionEnd>;
  private closeReason?: EndReason;
  private resolveEnded!: (end: SessionEnd) => void;
  private readonly listeners = new Set<(event: SessionEvent) => void>();

  constructor(
    readonly id: string,
    readonly machine: Machine,
    readonly origin: SessionOrigin,
    bufferBytes: number,
  ) {
    this.output = new OutputBuffer(bufferBytes);
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get fleetId(): string {
    return this.machine.fleetId;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  appendOutput(data: Uint8Array): void {
    if (this.state === 'ended') return;
    const offset = this.output.append(data);
    this.emit({ type: 'output', offset, data });
  }

  /** Refuses further input from now on; the end arrives when the process is gone. */
  markClosing(reason: EndReason): void {
    if (this.state !== 'running') return;
    this.state = 'closing';
    this.closeReason = reason;
  }

  finish(exitCode: number, signal: number, fallbackReason: EndReason = 'exited'): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.end = { exitCode, signal, reason: this.closeReason ?? fallbackReason };
    this.emit({ type: 'end', end: this.end });
    this.listeners.clear();
    this.resolveEnded(this.end);
  }

  /** Events after this call; read `output` first, in the same tick, to miss nothing. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
