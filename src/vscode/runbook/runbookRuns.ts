import { type RunRequest, runFromOwnUi } from '../../core/commands/commandArguments';
import * as vscode from 'vscode';
import { showError, showWarning } from '../notify';
import { machineFactPickText } from '../../core/display/pickItems';
import { runPicker } from '../../core/display/picker';
import { notificationName } from '../../core/display/safeText';
import type { FleetFacts } from '../../core/runbook/fleetFacts';
import type { MachineFact, RunBlockArgs, RunBlockOnArgs } from '../../core/runbook/protocol';
import type { RunbookHost } from './runbookHost';
import { isRunbook } from './runbookStarter';
// The same parser the language server builds its lenses with (pure, no dependencies).
import { parseRunbook } from '../../runbook-server/parseRunbook';

/** ▶ Run on …: one machine opens a terminal, several go to the fan-out. The block's text is sent as typed. */
export async function runBlock(host: RunbookHost, args: RunBlockArgs): Promise<void> {
  await guard(host, async () => {
    if (!args || !args.fleetId || !Array.isArray(args.hostnames) || typeof args.command !== 'string')
      throw new Error('this run lens is out of date; edit the runbook or reopen it.');
    if (!args.command.trim()) throw new Error('this block is empty: there is nothing to run.');
    // A lens of an open runbook holding this very block is the person's own click; anything else (another
    // extension calling the command with a command of its choosing) asks first.
    const how: RunRequest = { via: 'runbook', command: args.command, openBlocks: openRunbookBlocks() };
    if (args.hostnames.length === 1) {
      if (!runFromOwnUi(how)) {
        const run = vscode.l10n.t('Run');
        const answer = await showWarning(
          vscode.l10n.t('Run `{0}` on {1}?', args.command, notificationName(args.hostnames[0])),
          { modal: true, detail: vscode.l10n.t('This run was not started from a block of an open runbook.') },
          run,
        );
        if (answer !== run) return;
      }
      await host.runOnMachine(args.fleetId, String(args.hostnames[0]), args.command);
      return;
    }
    // The fan-out shows its own progress, results (Runs view) and errors; a failure here is only logged.
    await host
      .runOnMachines({ fleetId: args.fleetId, hostnames: args.hostnames.map(String), command: args.command }, how)
      .catch((err: Error) => host.log.warn(`runbook fan-out ended with: ${err.message}`));
  });
}

/** The shell blocks of the runbooks open in editors, exactly as the language server's lenses send them. */
function openRunbookBlocks(): string[] {
  return vscode.workspace.textDocuments.filter(isRunbook).flatMap((doc) => parseRunbook(doc.getText()).blocks.map((b) => b.body));
}

type MachinePick = vscode.QuickPickItem & { machine: MachineFact };

/** Run on…: pick one or more machines of the runbook's fleet (server-side search as you type). */
export async function runBlockOn(host: RunbookHost, facts: () => FleetFacts, args: RunBlockOnArgs): Promise<void> {
  await guard(host, async () => {
    const pick = vscode.window.createQuickPick<MachinePick>();
    pick.title = vscode.l10n.t('Run this block on…');
    pick.placeholder = vscode.l10n.t('Pick machines (type to search the fleet)');
    pick.canSelectMany = true;
    pick.matchOnDescription = true;
    const toItems = (machines: MachineFact[]): MachinePick[] =>
      [...machines]
        .sort((a, b) => Number(b.online) - Number(a.online) || a.hostname.localeCompare(b.hostname))
        .map((m) => ({ ...machineFactPickText(m), machine: m }));
    const chosen = await runPicker(pick, {
      load: async (text) =>
        toItems(
          await facts()
            .search(args.fleetId, text)
            .catch(() => []),
        ),
      same: (a, b) => a.machine.hostname === b.machine.hostname,
    });
    const hostnames = chosen?.map((i) => i.machine.hostname);
    if (hostnames?.length) await runBlock(host, { fleetId: args.fleetId, hostnames, command: args.command });
  });
}

async function guard(host: RunbookHost, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    host.log.error((err as Error).message);
    void showError(`CMDOP: ${(err as Error).message}`);
  }
}
