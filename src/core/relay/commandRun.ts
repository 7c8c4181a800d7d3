import { SessionEndedError } from '../errors';
import type { RelayClient } from './relayClient';
import { RemoteSession, type SessionExit } from './remoteSession';

export interface CommandResult {
  exitCode: number;
  /** Set when the process was killed by a signal (extension relays report it; 0 otherwise). */
  signal: number;
  /** Why it ended when not by itself: "closed", "machine stopped", "agent lost". */
  reason?: string;
}

export interface CommandIo {
  onOutput(data: Uint8Array): void;
  signal?: AbortSignal;
  /** PTY size; wide by default so ordinary lines are not wrapped. */
  cols?: number;
  rows?: number;
  /** Dropped output streams are resumed where they stopped this many times before the run fails. */
  resumes?: number;
  /** Called once the session is open and its output followed (the setup is done; the command runs). */
  onStarted?(): void;
}

/**
 * What a session's end says about its command: an exit code (or a signal) when the command itself ended;
 * otherwise (closed by someone, machine stopped, agent lost, a relay reason without a code, the shell gone
 * before the end marker) an error with that reason, never an exit code the command did not give.
 */
export function commandOutcome(hostname: string, exit: SessionExit): CommandResult | SessionEndedError {
  if (exit.reason === 'exited') return { exitCode: exit.code, signal: exit.signal };
  return new SessionEndedError(hostname, exit.signal ? `${exit.reason}, killed by signal ${exit.signal}` : exit.reason);
}

/**
 * Runs one command on a machine, streams its output and resolves with its exit code, on any relay:
 * a command session where the relay has this project's extensions, otherwise the command typed into a
 * fresh upstream session between exit-code markers. Aborting closes the session and rejects with the
 * signal's reason.
 */
export async function runCommand(client: RelayClient, hostname: string, command: string, io: CommandIo): Promise<CommandResult> {
  io.signal?.throwIfAborted();
  const session = await RemoteSession.open(client, hostname, { command, cols: io.cols ?? 200, rows: io.rows ?? 50 });
  if (io.signal?.aborted) {
    await session.close('cancelled');
    throw io.signal.reason;
  }
  io.onStarted?.();
  const maxResumes = io.resumes ?? 3;
  return new Promise<CommandResult>((resolve, reject) => {
    let resumed = 0;
    const subscriptions = [
      session.onOutput((data) => io.onOutput(data)),
      session.onExit((exit) => {
        if (io.signal?.aborted) return; // our own close: the abort settles the run
        const outcome = commandOutcome(hostname, exit);
        finish(() => (outcome instanceof SessionEndedError ? reject(outcome) : resolve(outcome)));
      }),
      session.onDisconnect((err) => {
        if (resumed++ < maxResumes) setTimeout(() => void session.resume(), 200 * resumed);
        else finish(() => reject(err));
      }),
    ];
    const onAbort = () => {
      void session
        .close(`cancelled: ${(io.signal?.reason as Error)?.message ?? 'by user'}`)
        .finally(() => finish(() => reject(io.signal?.reason)));
    };
    io.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (settle: () => void) => {
      io.signal?.removeEventListener('abort', onAbort);
      for (const s of subscriptions) s.dispose();
      settle();
    };
  });
}
