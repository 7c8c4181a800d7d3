// What "an interactive shell works" means in a CMDOP terminal: arithmetic echoes, and Ctrl-C interrupts
// a running command (sleep 100) and gives the prompt back.
import assert from 'node:assert/strict';
import type { Workbench } from '../harness';

export async function checkInteractiveShell(wb: Workbench): Promise<void> {
  await wb.terminal.waitForText(/[#$]\s*$/, 20_000);
  await wb.terminal.sendLine('echo hi-$((40+2))');
  await wb.terminal.waitForText(/^hi-42$/m, 20_000);
  // Ctrl-C is sent once the shell says the sleep is starting, not after a guess at how long that takes.
  await wb.terminal.sendLine('echo sleeping-$((1+2)); sleep 100; echo slept-$((1+1))');
  await wb.terminal.waitForText(/^sleeping-3$/m, 15_000);
  await wb.terminal.send('\x03');
  await wb.terminal.sendLine('echo after-$((2+2))');
  const text = await wb.terminal.waitForText(/^after-4$/m, 15_000);
  assert.doesNotMatch(text, /^slept-2$/m, 'sleep was interrupted, not finished');
}
