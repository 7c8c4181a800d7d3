import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    const cwd = spec.cwd || this.identity.home || os.homedir();
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
    const drain = new ExitDrain();
    let reported = false;
    const report = (exitCode: number, signal: number): void => {
      if (reported) return;
      reported = true;
      if (slaveHold !== undefined) closeSync(slaveHold);
      this.terminals.delete(spec.sessionId);
      this.send({ type: 'exit', sessionId: spec.sessionId, exitCode, signal });
    };
    const forward = (data: Uint8Array): void => {
      if (data.byteLength > 0) this.send({ type: 'output', sessionId: spec.sessionId, data });
    };
    // The process is gone: its last bytes are in the PTY ahead of a marker written behind them, so the exit is
    // reported the moment the marker is read (no fixed wait). Where the marker cannot be written, node-pty's exit below.
    processExit.set(terminal.pid, (exitCode, signal) => {
      if (!reported && slaveHold !== undefined && drain.mark(slaveHold)) drain.exit = { exitCode, signal };
    });
    terminal.onData((data: string | Buffer) => {
      if (reported) return;
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      const { output, drained } = drain.push(chunk);
      forward(output);
      if (drained && drain.exit) report(drain.exit.exitCode, drain.exit.signal);
    });
    terminal.onExit(({ exitCode, signal }) => {
      processExit.delete(terminal.pid);
      forward(drain.flush());
      report(exitCode, signal ?? 0);
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

/** Exit callbacks by process id, called the moment the process has ended (before node-pty's own exit event). */
const processExit = new Map<number, (exitCode: number, signal: number) => void>();

/**
 * node-pty reports a process's exit only once the PTY's master has closed; with the slave held open (below) that
 * is its fixed 200 ms give-up timer, every time. Its native fork() takes the process-ended callback last: tapping
 * it tells us the moment the process is gone. Installed once per agent process; without it the exit still comes,
 * from node-pty, after that timer.
 */
function tapNativeExit(): void {
  try {
    const load = createRequire(require.resolve('node-pty')) as (id: string) => unknown;
    const utils = load('./utils') as { loadNativeModule(name: string): { module: { fork: (...args: unknown[]) => unknown } } };
    const native = utils.loadNativeModule('pty').module;
    const fork = native.fork;
    native.fork = function (this: unknown, ...args: unknown[]) {
      const onExit = args[args.length - 1];
      if (typeof onExit === 'function') {
        let pid = 0;
        args[args.length - 1] = (code: number, signal: number) => {
          processExit.get(pid)?.(code, signal ?? 0);
          (onExit as (code: number, signal: number) => void)(code, signal);
        };
        const forked = fork.apply(this, args) as { pid: number };
        pid = forked.pid;
        return forked;
      }
      return fork.apply(this, args);
    };
  } catch {
    // Another node-pty layout: exits are reported by node-pty's own event.
  }
}
tapNativeExit();

/**
 * The tail of a PTY's output after its process ended. A marker written into the slave after the process is gone
 * lines up behind every byte the process wrote (the PTY keeps order), so seeing it on the master means the output is
 * fully drained: the exit is reported then, and nothing of the command's output is lost. The marker itself is
 * never passed on (a marker split across reads is held back until it is whole).
 */
class ExitDrain {
  private marker: Buffer | undefined;
  private held = Buffer.alloc(0);
  exit: { exitCode: number; signal: number } | undefined;

  /** Writes the marker behind the output; false where it cannot be written now (the terminal is stopped, its buffer full). */
  mark(slave: number): boolean {
    const marker = Buffer.from(`\u0000cmdop-drained-${randomBytes(8).toString('hex')}\u0000`);
    try {
      if (writeSync(slave, marker) !== marker.length) return false;
    } catch {
      return false;
    }
    this.marker = marker;
    return true;
  }

  /** The output to pass on, and whether the marker was read (everything after it is dropped). */
  push(chunk: Buffer): { output: Buffer; drained: boolean } {
    if (!this.marker) return { output: chunk, drained: false };
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.held = Buffer.alloc(0);
      return { output: data.subarray(0, at), drained: true };
    }
    const keep = overlap(data, this.marker);
    this.held = Buffer.from(data.subarray(data.length - keep));
    return { output: data.subarray(0, data.length - keep), drained: false };
  }

  /** What is still held back (the exit came another way). */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/** Length of the longest suffix of `data` that is a prefix of `marker`. */
function overlap(data: Buffer, marker: Buffer): number {
  for (let n = Math.min(marker.length - 1, data.length); n > 0; n--) {
    if (data.subarray(data.length - n).equals(marker.subarray(0, n))) return n;
  }
  return 0;
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
    // Non-blocking: writing the drain marker must never stall the agent on a stopped terminal.
    return openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
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
