import * as vscode from 'vscode';
import { sourceLabel } from '../../core/credentials/credential';
import { fleetArgument } from '../../core/commands/commandArguments';
import type { FleetContext } from '../../core/fleet/fleetContext';
import { fleetById } from '../relayAccess';

export async function switchFleet(context: FleetContext, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const choices = await context.choices();
  if (choices.length === 0) {
    const action = await vscode.window.showInformationMessage(
      'CMDOP: No fleets yet. Sign in or add a fleet API key.',
      'Sign In',
      'Add Fleet API Key',
    );
    if (action === 'Sign In') await vscode.commands.executeCommand('cmdop.signIn');
    if (action === 'Add Fleet API Key') await vscode.commands.executeCommand('cmdop.addApiKey');
    return;
  }
  const active = context.activeFleetId();
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({
      label: `${c.fleet.id === active ? '$(check) ' : ''}${c.fleet.name}`,
      description: c.sources.map(sourceLabel).join(', '),
      detail: `${c.fleet.role}${c.fleet.role === 'Guest' ? ' (observer-only)' : ''} · relay ${c.fleet.relay}`,
      fleetId: c.fleet.id,
    })),
    { title: 'CMDOP: Switch Fleet', placeHolder: 'Pick the fleet to work in' },
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
    void vscode.window.showWarningMessage(
      "CMDOP: CMDOP_API_KEY is set in this window's environment and takes precedence over the fleet you picked.",
    );
  }
}
