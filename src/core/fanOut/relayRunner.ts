import type { RelayClient } from '../relay/relayClient';
import { RemoteSession } from '../relay/remoteSession';
import type { CommandExit, CommandRunner } from './fanOut';

/**
 * Runs fan-out commands through the relay the same way *Run Command* does (a command session whose
 * exit event carries the exit code), all on the fleet's one pooled channel.
 */
export class RelaySessionRunner implements CommandRunner {
  constructor(private readonly client: RelayClient) {}

  async run(hostname: string, command: string, io: { signal: AbortSignal; onOutput(data: Uint8Array): void }): Promise<CommandExit> {
    io.signal.throwIfAborted();
    // Wide enough that ordinary lines are not wrapped by the PTY.
    const session = await RemoteSession.open(this.client, hostname, { command, cols: 200, rows: 50 });
    if (io.signal.aborted) {
      await session.close('fan-out cancelled');
      throw io.signal.reason;
    }
    return new Promise<CommandExit>((resolve, reject) => {
      let retried = 0;
      const subscriptions = [
        session.onOutput((data) => io.onOutput(data)),
        session.onExit((exit) => finish(() => resolve({ exitCode: exit.code, signal: exit.signal, reason: exit.reason === 'exited' ? undefined : exit.reason }))),
        session.onDisconnect((err) => {
          // A dropped stream resumes where it stopped, a few times; then the machine's result is the error.
          if (retried++ < 3) setTimeout(() => void session.resume(), 200 * retried);
          else finish(() => reject(err));
        }),
      ];
      const onAbort = () => {
        void session.close(`fan-out ${(io.signal.reason as Error)?.message ?? 'cancelled'}`).finally(() => finish(() => reject(io.signal.reason)));
      };
      io.signal.addEventListener('abort', onAbort, { once: true });
      const finish = (settle: () => void) => {
        io.signal.removeEventListener('abort', onAbort);
        for (const s of subscriptions) s.dispose();
        settle();
      };
    });
  }
}
