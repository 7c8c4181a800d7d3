import * as vscode from 'vscode';
import { SCOPES } from '../../core/oauth/oidcClient';
import { AUTH_PROVIDER_ID } from '../authProvider';

/** Goes through VS Code's authentication API so the session also shows in the Accounts menu. */
export async function signIn(): Promise<void> {
  await vscode.authentication.getSession(AUTH_PROVIDER_ID, SCOPES, { createIfNone: true });
}

export async function signOut(removeSession: () => Promise<void>): Promise<void> {
  await removeSession();
  void vscode.window.showInformationMessage('CMDOP: Signed out.');
}
