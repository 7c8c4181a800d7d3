import { runCommand } from '../relay/commandRun';
import type { RelayClient } from '../relay/relayClient';
import type { CommandExit, CommandRunner, RunnerIo } from './fanOut';

/**
 * Runs fan-out commands through the relay the same way *Run Command* does (core runCommand: a command
 * session where the relay has this project's extensions, a command typed between exit-code markers
 * where it speaks only upstream CMDOP), all on the fleet's one pooled channel.
 */
export class RelaySessionRunner implements CommandRunner {
  constructor(private readonly client: RelayClient) {}

  async run(hostname: string, command: string, io: RunnerIo): Promise<CommandExit> {
    // Wide enough that ordinary lines are not wrapped by the PTY.
    return runCommand(this.client, hostname, command, {
      onOutput: io.onOutput,
      onStarted: io.onStarted,
      signal: io.signal,
      cols: 200,
      rows: 50,
    });
  }
}
