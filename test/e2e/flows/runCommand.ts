// *Run Command…* from a machine's context menu in the Machines tree: the command typed into the input box, its
// terminal awaited until the exit code line.
import type { Session } from '../harness';
import { treeContextAction } from './contextMenu';

/** Runs `command` on `machine` and returns the terminal's text once `[<machine>: exit code <exitCode>]` shows. */
export async function runCommandFromTree(session: Session, machine: string, command: string, exitCode: number): Promise<string> {
  const { wb } = session;
  await treeContextAction(session, 'Machines', machine, 'Run Command…');
  await wb.quickInput.waitOpen();
  await wb.quickInput.type(command);
  await wb.quickInput.submit();
  await wb.terminal.waitForName(`CMDOP: ${machine}`, 20_000);
  return wb.terminal.waitForText(`exit code ${exitCode}`, 30_000);
}
