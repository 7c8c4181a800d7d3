import * as vscode from 'vscode';
import { showInformation, showWarning } from '../notify';
import { sourceLabel } from '../../core/credentials/credential';
import { fleetArgument } from '../../core/commands/commandArguments';
import { fleetPickText } from '../../core/display/pickItems';
import type { FleetContext } from '../../core/fleet/fleetContext';
import { fleetById } from '../relayAccess';

export async function switchFleet(context: FleetContext, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const choices = await context.choices();
  if (choices.length === 0) {
    const signIn = vscode.l10n.t('Sign In');
    const addKey = vscode.l10n.t('Add Fleet API Key');
    const action = await showInformation(vscode.l10n.t('CMDOP: No fleets yet. Sign in or add a fleet API key.'), signIn, addKey);
    if (action === signIn) await vscode.commands.executeCommand('cmdop.signIn');
    if (action === addKey) await vscode.commands.executeCommand('cmdop.addApiKey');
    return;
  }
  const active = context.activeFleetId();
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({ ...fleetPickText(c.fleet, c.fleet.id === active, c.sources.map(sourceLabel)), fleetId: c.fleet.id })),
    { title: vscode.l10n.t('CMDOP: Switch Fleet'), placeHolder: vscode.l10n.t('Pick the fleet to work in') },
  );
  if (!picked) return;
  await activate(context, env, picked.fleetId);
}

/**
 * "Set as Active Fleet" on a fleet in the Machines tree (or a fleet id from elsewhere); without one it is
 * Switch Fleet. Only a fleet id our credentials reach is activated, never one chosen by a name.
 */
export async function setActiveFleet(
  context: FleetContext,
  env: Readonly<Record<string, string | undefined>>,
  argument: unknown,
): Promise<void> {
  const fleetId = fleetArgument(argument);
  if (!fleetId) return switchFleet(context, env);
  const fleet = await fleetById(context, fleetId);
  if (context.activeFleetId() === fleet.id) return;
  await activate(context, env, fleet.id);
}

async function activate(context: FleetContext, env: Readonly<Record<string, string | undefined>>, fleetId: string): Promise<void> {
  await context.setActiveFleet(fleetId);
  if (env.CMDOP_API_KEY?.trim()) {
    void showWarning(
      vscode.l10n.t("CMDOP: CMDOP_API_KEY is set in this window's environment and takes precedence over the fleet you picked."),
    );
  }
}
