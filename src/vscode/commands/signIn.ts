import * as vscode from 'vscode';
import { showInformation } from '../notify';
import { SCOPES } from '../../core/oauth/oidcClient';
import type { TokenKeeper } from '../../core/oauth/tokenKeeper';
import { AUTH_PROVIDER_ID } from '../authProvider';

/**
 * Goes through VS Code's authentication API so the session also shows in the Accounts menu. A stored session the
 * identity provider no longer accepts is cleared first, so the device flow starts instead of nothing happening.
 */
export async function signIn(keeper: TokenKeeper): Promise<void> {
  await keeper.verify().catch(() => undefined);
  await vscode.authentication.getSession(AUTH_PROVIDER_ID, SCOPES, { createIfNone: true });
}

export async function signOut(removeSession: () => Promise<void>): Promise<void> {
  await removeSession();
  void showInformation(vscode.l10n.t('CMDOP: Signed out.'));
}
