import * as vscode from 'vscode';
import { showError, showInformation, showWarning } from '../notify';
import { storedKeyPickText } from '../../core/display/pickItems';
import { notificationName, notificationText } from '../../core/display/safeText';
import { looksLikeApiKey } from '../../core/credentials/credential';
import { CredentialRefusedError } from '../../core/errors';
import type { FleetContext, LearnedKey } from '../../core/fleet/fleetContext';
import type { FleetKeyStore } from '../../core/credentials/fleetKeys';

export async function addApiKey(context: FleetContext, keys: FleetKeyStore): Promise<void> {
  const secret = await vscode.window.showInputBox({
    title: vscode.l10n.t('CMDOP: Add Fleet API Key'),
    prompt: vscode.l10n.t(
      "Paste a fleet API key (from the fleet settings in the CMDOP cabinet). It is kept in VS Code's secret storage only.",
    ),
    placeHolder: 'cmdop_…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      looksLikeApiKey(value.trim()) ? undefined : vscode.l10n.t('A fleet API key starts with "cmdop_" and has no spaces.'),
  });
  if (!secret) return;
  const key = secret.trim();
  let learned;
  try {
    learned = await context.learnKey({ kind: 'apiKey', source: 'explicit', secret: key });
  } catch (err) {
    const reason = err instanceof CredentialRefusedError ? err.reason : (err as Error).message;
    void showError(vscode.l10n.t('CMDOP: The API key you entered was refused: {0}. Nothing was stored.', notificationText(reason)));
    return;
  }
  const existing = keys.list().find((k) => k.fleetId === learned.fleet.id);
  if (existing) {
    const replace = vscode.l10n.t('Replace');
    const answer = await showWarning(
      vscode.l10n.t(
        'Fleet "{0}" already has a stored key ("{1}"). Replace it with "{2}"?',
        learned.fleet.name,
        existing.keyName,
        learned.keyName,
      ),
      { modal: true },
      replace,
    );
    if (answer !== replace) return;
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
  announceStoredKey(learned);
}

/** Says which key was stored for which fleet, and warns about a key that never expires. */
function announceStoredKey(learned: LearnedKey): void {
  const keyName = notificationName(learned.keyName);
  const fleetName = notificationName(learned.fleet.name);
  void showInformation(
    learned.expiresAt
      ? vscode.l10n.t(
          'CMDOP: Stored key "{0}" for fleet "{1}". It expires {2}.',
          keyName,
          fleetName,
          new Date(learned.expiresAt).toLocaleDateString(),
        )
      : vscode.l10n.t('CMDOP: Stored key "{0}" for fleet "{1}".', keyName, fleetName),
  );
  if (!learned.expiresAt) {
    void showWarning(
      vscode.l10n.t(
        'CMDOP: Key "{0}" never expires. Consider issuing one with an expiry in the fleet settings and rotating to it.',
        notificationName(learned.keyName),
      ),
    );
  }
}

export async function removeApiKey(context: FleetContext, keys: FleetKeyStore): Promise<void> {
  const stored = keys.list();
  if (stored.length === 0) {
    void showInformation(vscode.l10n.t('CMDOP: No fleet API keys are stored.'));
    return;
  }
  const describe = async (fleetId: string): Promise<string> => {
    const secret = await keys.secretFor(fleetId);
    if (!secret) return vscode.l10n.t('secret missing from this machine');
    try {
      const learned = await context.learnKey({ kind: 'apiKey', source: 'active', secret, fleetId });
      const expiry = learned.expiresAt
        ? vscode.l10n.t('expires {0}', new Date(learned.expiresAt).toLocaleDateString())
        : vscode.l10n.t('never expires');
      const used = learned.lastUsedAt
        ? vscode.l10n.t('last used {0}', new Date(learned.lastUsedAt).toLocaleString())
        : vscode.l10n.t('never used');
      return `${expiry} · ${used}`;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const picked = await vscode.window.showQuickPick(
    Promise.all(stored.map(async (k) => ({ ...storedKeyPickText(k.fleetName, k.keyName, await describe(k.fleetId)), fleetId: k.fleetId }))),
    {
      title: vscode.l10n.t('CMDOP: Remove Fleet API Key'),
      placeHolder: vscode.l10n.t("Which fleet's key should be removed from this machine?"),
    },
  );
  if (!picked) return;
  const remove = vscode.l10n.t('Remove');
  const sure = await showWarning(
    vscode.l10n.t(
      'Remove the stored key "{0}" of fleet "{1}"? It stays valid on the server; revoke it in the cabinet if it leaked.',
      picked.description ?? '',
      picked.label,
    ),
    { modal: true },
    remove,
  );
  if (sure !== remove) return;
  await keys.remove(picked.fleetId);
  context.refresh();
}
