import { closeSync, constants, openSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as pty from 'node-pty';
import type { AgentIdentity, FromAgent, OpenSessionSpec } from './agentProtocol';
import { shellEnvironment } from './shellEnvironment';

/** The PTYs of one machine agent. Runs inside the agent process. */
export class PtyHost {
  private readonly terminals = new Map<string, pty.IPty>();

  constructor(
    private readonly identity: AgentIdentity,
    private readonly send: (message: FromAgent) => void,
  ) {}

  open(spec: OpenSessionSpec): void {
    const cwd = spec.cwd || os.homedir();
    if (!isDirectory(cwd)) {
      this.send({
        type: 'open-failed',
        sessionId: spec.sessionId,
        message: `working directory ${cwd} does not exist on ${this.identity.hostname}`,
      });
      return;
    }
    // --norc/--noprofile keep bash independent of the host's dotfiles (sh reads none without $ENV).
    const isolation = spec.shell.endsWith('bash') ? ['--norc', '--noprofile'] : [];
    const args = spec.command === undefined ? [...isolation, '-i'] : [...isolation, '-c', spec.command];
    let terminal: pty.IPty;
    try {
      terminal = pty.spawn(spec.shell, args, {
        name: 'xterm-256color',
        cols: spec.cols,
        rows: spec.rows,
        cwd,
        env: shellEnvironment(this.identity, spec.shell, spec.env),
        // null: hand raw bytes through; decoding would corrupt split UTF-8 sequences.
        encoding: null,
      });
    } catch (err) {
      this.send({ type: 'open-failed', sessionId: spec.sessionId, message: `cannot start ${spec.shell}: ${(err as Error).message}` });
      return;
    }
    this.terminals.set(spec.sessionId, terminal);
    const slaveHold = holdSlaveOpen(terminal);
    terminal.onData((data: string | Buffer) => {
      this.send({ type: 'output', sessionId: spec.sessionId, data: typeof data === 'string' ? Buffer.from(data) : data });
    });
    terminal.onExit(({ exitCode, signal }) => {
      if (slaveHold !== undefined) closeSync(slaveHold);
      this.terminals.delete(spec.sessionId);
      this.send({ type: 'exit', sessionId: spec.sessionId, exitCode, signal: signal ?? 0 });
    });
    this.send({ type: 'opened', sessionId: spec.sessionId, pid: terminal.pid });
  }

  input(sessionId: string, data: Uint8Array): void {
    this.terminals.get(sessionId)?.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(sessionId: string, cols: number, rows: number): void {
    this.terminals.get(sessionId)?.resize(cols, rows);
  }

  /** Signals the shell's process group, so `sh -c` children get it too. */
  signal(sessionId: string, signal: number): void {
    const terminal = this.terminals.get(sessionId);
    if (!terminal) return;
    try {
      process.kill(-terminal.pid, signal);
    } catch {
      try {
        process.kill(terminal.pid, signal);
      } catch {
        // Already gone: its exit event is on the way.
      }
    }
  }

  close(sessionId: string, force: boolean): void {
    this.signal(sessionId, force ? 9 : 1);
  }

  /** Hangs up every shell, then kills what is left, so no PTY outlives the agent. */
  async shutdown(graceMs = 1000): Promise<void> {
    for (const id of this.terminals.keys()) this.close(id, false);
    const deadline = Date.now() + graceMs;
    while (this.terminals.size > 0 && Date.now() < deadline) await delay(20);
    for (const id of this.terminals.keys()) this.close(id, true);
    const killDeadline = Date.now() + 500;
    while (this.terminals.size > 0 && Date.now() < killDeadline) await delay(20);
  }
}

/**
 * When the last slave descriptor closes, node-pty can hit EOF/EIO on the
 * master before the final bytes are read, losing the tail of the output.
 * Holding our own slave descriptor keeps the master readable until node-pty
 * has seen the process exit and drained the buffer (its exit event waits for
 * that), so "echo hello; exit 7" reliably delivers "hello".
 */
function holdSlaveOpen(terminal: pty.IPty): number | undefined {
  const ptsName = (terminal as pty.IPty & { ptsName?: string }).ptsName;
  if (!ptsName) return undefined;
  try {
    return openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
