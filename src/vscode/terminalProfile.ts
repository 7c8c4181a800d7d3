import { terminalText } from '../core/display/safeText';
import { NOT_CONFIGURED_MESSAGE } from '../core/errors';
import * as vscode from 'vscode';
import { type MachineCommandDeps, pickMachine, remoteTerminalOptions } from './commands/machines';

export const SHELL_PROFILE_ID = 'cmdop.shell';

/** A terminal that only shows a line (why no shell was opened) and closes on the next key. */
class NoticeTerminal implements vscode.Pseudoterminal {
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;

  constructor(private readonly text: string | undefined) {}

  open(): void {
    // No text: the picker was dismissed, so the terminal goes away at once, without a word.
    if (this.text === undefined) this.closes.fire();
    else this.writes.fire(`\x1b[31m${terminalText(this.text)}\x1b[0m\r\n\x1b[2mPress any key to close.\x1b[0m`);
  }

  handleInput(): void {
    this.closes.fire();
  }

  close(): void {}
}

/**
 * "CMDOP Shell" in the terminal's "+" menu: picks a machine of the active fleet with the palette's picker
 * and opens an interactive shell there. VS Code insists on a profile once the menu entry is chosen, so a
 * dismissed picker or a refusal (signed out, Guest) becomes a terminal that says so, not an error dialog.
 */
export function registerShellProfile(deps: () => MachineCommandDeps | undefined): vscode.Disposable {
  return vscode.window.registerTerminalProfileProvider(SHELL_PROFILE_ID, {
    async provideTerminalProfile(): Promise<vscode.TerminalProfile> {
      const d = deps();
      if (!d)
        return new vscode.TerminalProfile({
          name: 'CMDOP',
          pty: new NoticeTerminal(NOT_CONFIGURED_MESSAGE),
        });
      try {
        const target = await pickMachine(d);
        if (!target) return new vscode.TerminalProfile({ name: 'CMDOP', pty: new NoticeTerminal(undefined) });
        return new vscode.TerminalProfile(await remoteTerminalOptions(d, target, undefined));
      } catch (err) {
        d.log.error((err as Error).message);
        return new vscode.TerminalProfile({
          name: 'CMDOP',
          pty: new NoticeTerminal((err as Error).message),
          iconPath: new vscode.ThemeIcon('error'),
        });
      }
    },
  });
}
