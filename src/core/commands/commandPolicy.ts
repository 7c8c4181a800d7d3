import { CmdopError } from '../errors';

/** Every command the extension contributes in package.json; the table in src/vscode/commandTable.ts has exactly these keys. */
export const COMMAND_IDS = [
  'cmdop.signIn',
  'cmdop.signOut',
  'cmdop.addApiKey',
  'cmdop.removeApiKey',
  'cmdop.switchFleet',
  'cmdop.setActiveFleet',
  'cmdop.refreshMachines',
  'cmdop.filterMachines',
  'cmdop.runCommandOnMachine',
  'cmdop.openShellOnMachine',
  'cmdop.runCommand',
  'cmdop.openShell',
  'cmdop.copyHostname',
  'cmdop.loadMoreMachines',
  'cmdop.showLog',
  'cmdop.runOnFleet',
  'cmdop.runOnMachines',
  'cmdop.runs.openOutput',
  'cmdop.runs.compareWithMajority',
  'cmdop.runs.rerunFailed',
  'cmdop.runs.rerunAll',
  'cmdop.runs.cancel',
  'cmdop.runs.copyJson',
  'cmdop.runs.copyMarkdown',
  'cmdop.runs.clear',
  'cmdop.openWalkthrough',
  'cmdop.newRunbook',
  'cmdop.sessions.refresh',
  'cmdop.sessions.attach',
  'cmdop.sessions.close',
  'cmdop.openMachineFolder',
  'cmdop.addMachineFolder',
  'cmdop.openMachineFile',
  'cmdop.findInMachineFolder',
  'cmdop.goToMachineFile',
  'cmdop.compareFileAcrossMachines',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** What the uniform command wrapper does with a failure: nothing (the user cancelled), or one log line and one message. */
export type CommandFailure = { kind: 'silent' } | { kind: 'report'; logLine: string; message: string };

/** VS Code's CancellationError (and an AbortSignal's abort) mean the user stopped: no log, no message. */
export function isCancellation(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'Canceled' || name === 'AbortError';
}

/** The stack (or message) of an error and of each cause under it, so one log line shows where it started. */
export function describeForLog(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    parts.push(depth === 0 ? text : `caused by: ${text}`);
  }
  return parts.join('\n');
}

/** The policy of every command: our typed errors already say what to do; anything else points at the log, which has the stack. */
export function commandFailure(commandId: string, err: unknown): CommandFailure {
  if (isCancellation(err)) return { kind: 'silent' };
  const logLine = `${commandId} failed: ${describeForLog(err)}`;
  if (err instanceof CmdopError)
    return { kind: 'report', logLine, message: err.message.startsWith('CMDOP') ? err.message : `CMDOP: ${err.message}` };
  const detail = err instanceof Error ? err.message : String(err);
  return { kind: 'report', logLine, message: `CMDOP: ${detail} (details in "CMDOP: Show Log").` };
}

/** Commands other extensions call for a result: they get the error back as well as the user seeing it. */
export const COMMANDS_RETURNING_ERRORS: ReadonlySet<CommandId> = new Set<CommandId>(['cmdop.runOnMachines']);
