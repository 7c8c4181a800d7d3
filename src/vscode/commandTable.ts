import * as vscode from 'vscode';
import { showError } from './notify';
import { type CommandId, COMMANDS_RETURNING_ERRORS, commandFailure } from '../core/commands/commandPolicy';

export type CommandHandler = (...args: any[]) => unknown;
/** One handler per contributed command: the type makes a missing or unknown id a compile error. */
export type CommandTable = Record<CommandId, CommandHandler>;

/** Registers every command of the table through one wrapper, so every command fails the same way. */
export function registerCommandTable(table: CommandTable, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return (Object.entries(table) as [CommandId, CommandHandler][]).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        const failure = commandFailure(id, err);
        if (failure.kind === 'report') {
          log.error(failure.logLine);
          void showError(failure.message);
        }
        if (COMMANDS_RETURNING_ERRORS.has(id)) throw err;
        return undefined;
      }
    }),
  );
}
