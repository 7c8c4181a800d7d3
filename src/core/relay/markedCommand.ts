import { randomBytes } from 'node:crypto';
import { Emitter } from '../emitter';
import type { RemoteSession, SessionExit } from './remoteSession';

/**
 * The typed line that runs `command` between two markers in an interactive shell, the way upstream runs
 * commands (the SDK's execute()). The markers are printed from pieces (`printf '%s:%s' CMDOP-START id`), so
 * the shell's echo of this very line never contains them. The end marker is printed twice over: after the
 * command, and by PROMPT_COMMAND, which bash runs even when Ctrl-C abandoned the rest of the line ($? is
 * then 130). The leading space keeps the line out of bash's history (HISTCONTROL=ignorespace). The command
 * travels as one single-quoted word run by eval, so none of its syntax is the typed line's: a command the
 * shell cannot parse (`echo (`, an unclosed quote) fails inside eval with the shell's message and status 2,
 * and the end marker still runs; a multi-line command is still parsed whole before anything runs.
 */
export function markedCommandLine(command: string, id: string): string {
  const end = `printf '%s:%s:%d\\n' CMDOP-END ${id} $?`;
  const endFromPrompt = `printf "%s:%s:%d\\n" CMDOP-END ${id} $?; unset PROMPT_COMMAND`;
  return ` PROMPT_COMMAND='${endFromPrompt}'; printf '%s:%s\\n' CMDOP-START ${id}; eval ${singleQuoted(command)}; ${end}\n`;
}

/** `text` as one shell word that the shell takes literally: single quotes, each ' written as '\''. */
export function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Pulls a command's own output out of a shell's: drops everything up to the start marker's line, passes
 * the rest on until the end marker, whose number is the exit code. A marker split across chunks is held
 * back until it is whole, so nothing of it ever reaches the user.
 */
export class MarkerFilter {
  private readonly start: Buffer;
  private readonly end: Buffer;
  /** The start marker was seen: the command began to run. */
  started = false;
  private pending = Buffer.alloc(0);
  exitCode: number | undefined;

  constructor(id: string) {
    this.start = Buffer.from(`CMDOP-START:${id}`);
    this.end = Buffer.from(`CMDOP-END:${id}:`);
  }

  /** The command output in `chunk` (maybe empty); sets exitCode once the end marker is complete. */
  push(chunk: Uint8Array): Buffer {
    if (this.exitCode !== undefined) return Buffer.alloc(0);
    this.pending = Buffer.concat([this.pending, chunk]);
    if (!this.started) {
      const at = this.pending.indexOf(this.start);
      const lineEnd = at < 0 ? -1 : this.pending.indexOf('\n', at);
      if (lineEnd < 0) {
        // Keep only what could still be the start of the marker.
        this.pending = this.pending.subarray(Math.max(0, this.pending.length - this.start.length - 2));
        return Buffer.alloc(0);
      }
      this.started = true;
      this.pending = this.pending.subarray(lineEnd + 1);
    }
    const at = this.pending.indexOf(this.end);
    if (at >= 0) {
      const lineEnd = this.pending.indexOf('\n', at);
      const body = this.pending.subarray(0, at);
      if (lineEnd < 0) {
        this.pending = this.pending.subarray(at);
        return Buffer.from(body);
      }
      this.exitCode = Number(/^-?\d+/.exec(this.pending.subarray(at + this.end.length, lineEnd).toString())?.[0] ?? -1);
      this.pending = Buffer.alloc(0);
      return Buffer.from(body);
    }
    // Everything except a tail that could be the beginning of the end marker.
    const keep = this.tailOverlap();
    const out = this.pending.subarray(0, this.pending.length - keep);
    this.pending = this.pending.subarray(this.pending.length - keep);
    return Buffer.from(out);
  }

  /** Whatever output is still held back (the session ended without an end marker). */
  flush(): Buffer {
    const rest = this.started ? this.pending : Buffer.alloc(0);
    this.pending = Buffer.alloc(0);
    return Buffer.from(rest);
  }

  /** Length of the longest suffix of pending that is a prefix of the end marker. */
  private tailOverlap(): number {
    for (let n = Math.min(this.end.length - 1, this.pending.length); n > 0; n--) {
      if (this.pending.subarray(this.pending.length - n).equals(this.end.subarray(0, n))) return n;
    }
    return 0;
  }
}

/** The command's end when the shell ended without an end marker (`commandStarted`: the start marker was seen). */
export function endWithoutMarker(exit: SessionExit, commandStarted: boolean): SessionExit {
  if (commandStarted || exit.reason !== 'exited') return exit;
  return {
    code: -1,
    signal: 0,
    reason: `the shell ended (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) before the command began`,
  };
}

/**
 * *Run Command* where the relay has no command sessions: a fresh interactive session into which the
 * command is typed between unique exit-code markers. The user sees only the command's output and its
 * exit code, as with the extension's command sessions; typing and Ctrl-C reach the command.
 */
export class MarkedCommandSession implements RemoteSession {
  private readonly output = new Emitter<Uint8Array>();
  private readonly exited = new Emitter<SessionExit>();
  readonly onOutput = this.output.event;
  readonly onExit = this.exited.event;
  readonly onDisconnect: RemoteSession['onDisconnect'];
  readonly onGap: RemoteSession['onGap'];
  private readonly filter: MarkerFilter;
  private done = false;

  private constructor(
    private readonly shell: RemoteSession,
    readonly id: string,
  ) {
    this.filter = new MarkerFilter(id);
    this.onDisconnect = shell.onDisconnect;
    this.onGap = shell.onGap;
    shell.onOutput((data) => {
      const body = this.filter.push(data);
      if (body.length > 0) this.output.fire(body);
      if (this.filter.exitCode !== undefined) this.finish({ code: this.filter.exitCode, signal: 0, reason: 'exited' });
    });
    shell.onExit((exit) => {
      // The command ended the shell itself (`exit 3`): the shell's exit is the command's. A shell that ended
      // before the command began is no exit of the command's.
      const rest = this.filter.flush();
      if (rest.length > 0) this.output.fire(rest);
      this.finish(endWithoutMarker(exit, this.filter.started));
    });
  }

  static async start(shell: RemoteSession, command: string): Promise<MarkedCommandSession> {
    const session = new MarkedCommandSession(shell, randomBytes(8).toString('hex'));
    await shell.write(Buffer.from(markedCommandLine(command, session.id)));
    return session;
  }

  get sessionId(): string {
    return this.shell.sessionId;
  }

  get bytesReceived(): number {
    return this.shell.bytesReceived;
  }

  resume(): Promise<void> {
    return this.shell.resume();
  }

  write(data: Uint8Array): Promise<void> {
    return this.shell.write(data);
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.shell.resize(cols, rows);
  }

  close(reason?: string): Promise<void> {
    this.done = true;
    return this.shell.close(reason);
  }

  detach(): void {
    this.done = true;
    this.shell.detach();
  }

  private finish(exit: SessionExit): void {
    if (this.done) return;
    this.done = true;
    this.exited.fire(exit);
    // The shell served this one command; it ends with it.
    void this.shell.close('command finished');
  }
}
