import * as vscode from 'vscode';
import { showError, showInformation, showWarning } from '../notify';
import { storedKeyPickText } from '../../core/display/pickItems';
import { notificationName, notificationText } from '../../core/display/safeText';
import { looksLikeApiKey } from '../../core/credentials/credential';
import { CredentialRefusedError } from '../../core/errors';
import type { FleetContext } from '../../core/fleet/fleetContext';
import type { FleetKeyStore } from '../../core/credentials/fleetKeys';

export async function addApiKey(context: FleetContext, keys: FleetKeyStore): Promise<void> {
  const secret = await vscode.window.showInputBox({
    title: 'CMDOP: Add Fleet API Key',
    prompt: "Paste a fleet API key (from the fleet settings in the CMDOP cabinet). It is kept in VS Code's secret storage only.",
    placeHolder: 'cmdop_…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (looksLikeApiKey(value.trim()) ? undefined : 'A fleet API key starts with "cmdop_" and has no spaces.'),
  });
  if (!secret) return;
  const key = secret.trim();
  let learned;
  try {
    learned = await context.learnKey({ kind: 'apiKey', source: 'explicit', secret: key });
  } catch (err) {
    const reason = err instanceof CredentialRefusedError ? err.reason : (err as Error).message;
    void showError(`CMDOP: The API key you entered was refused: ${notificationText(reason)}. Nothing was stored.`);
    return;
  }
  const existing = keys.list().find((k) => k.fleetId === learned.fleet.id);
  if (existing) {
    const replace = await showWarning(
      `Fleet "${learned.fleet.name}" already has a stored key ("${existing.keyName}"). Replace it with "${learned.keyName}"?`,
      { modal: true },
      'Replace',
    );
    if (replace !== 'Replace') return;
  }
  await keys.save(
    {
      fleetId: learned.fleet.id,
      fleetName: learned.fleet.name,
      keyName: learned.keyName,
      relay: learned.fleet.relay,
      addedAt: new Date().toISOString(),
    },
    key,
  );
  await context.setActiveFleet(learned.fleet.id);
  const expiry = learned.expiresAt ? `It expires ${new Date(learned.expiresAt).toLocaleDateString()}.` : '';
  void showInformation(
    `CMDOP: Stored key "${notificationName(learned.keyName)}" for fleet "${notificationName(learned.fleet.name)}". ${expiry}`.trim(),
  );
  if (!learned.expiresAt) {
    void showWarning(
      `CMDOP: Key "${notificationName(learned.keyName)}" never expires. Consider issuing one with an expiry in the fleet settings and rotating to it.`,
    );
  }
}

export async function removeApiKey(context: FleetContext, keys: FleetKeyStore): Promise<void> {
  const stored = keys.list();
  if (stored.length === 0) {
    void showInformation('CMDOP: No fleet API keys are stored.');
    return;
  }
  const describe = async (fleetId: string): Promise<string> => {
    const secret = await keys.secretFor(fleetId);
    if (!secret) return 'secret missing from this machine';
    try {
      const learned = await context.learnKey({ kind: 'apiKey', source: 'active', secret, fleetId });
      const expiry = learned.expiresAt ? `expires ${new Date(learned.expiresAt).toLocaleDateString()}` : 'never expires';
      const used = learned.lastUsedAt ? `last used ${new Date(learned.lastUsedAt).toLocaleString()}` : 'never used';
      return `${expiry} · ${used}`;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const picked = await vscode.window.showQuickPick(
    Promise.all(stored.map(async (k) => ({ ...storedKeyPickText(k.fleetName, k.keyName, await describe(k.fleetId)), fleetId: k.fleetId }))),
    { title: 'CMDOP: Remove Fleet API Key', placeHolder: "Which fleet's key should be removed from this machine?" },
  );
  if (!picked) return;
  const sure = await showWarning(
    `Remove the stored key "${picked.description}" of fleet "${picked.label}"? It stays valid on the server; revoke it in the cabinet if it leaked.`,
    { modal: true },
    'Remove',
  );
  if (sure !== 'Remove') return;
  await keys.remove(picked.fleetId);
  context.refresh();
}
