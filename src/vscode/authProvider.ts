import * as vscode from 'vscode';
import { showWarning } from './notify';
import { runDeviceFlow } from '../core/oauth/deviceFlow';
import { type IdentityProvider, SCOPES } from '../core/oauth/oidcClient';
import type { TokenKeeper } from '../core/oauth/tokenKeeper';
import type { OAuthSession } from '../core/oauth/tokens';
import { withDeviceCodePrompt } from './deviceCodePrompt';

export const AUTH_PROVIDER_ID = 'cmdop';

/** CMDOP in VS Code's Accounts menu: one session per mode, signed in through the device flow. */
export class CmdopAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changes.event;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly keeper: TokenKeeper,
    private readonly idp: IdentityProvider,
  ) {
    // Also fires for changes another window made: the keeper follows SecretStorage, so the Accounts menu does too.
    this.subscription = keeper.onDidChange(({ session, reason, previous }) => {
      const removed = previous && previous.id !== session?.id ? [toVscode(previous)] : [];
      if (reason === 'signedIn' && session) this.changes.fire({ added: [toVscode(session)], removed, changed: [] });
      else if (reason === 'refreshed' && session) this.changes.fire({ added: [], removed: [], changed: [toVscode(session)] });
      else this.changes.fire({ added: [], removed, changed: [] });
    });
  }

  async getSessions(): Promise<vscode.AuthenticationSession[]> {
    const session = await this.keeper.session().catch(() => undefined);
    return session ? [toVscode(session)] : [];
  }

  async createSession(): Promise<vscode.AuthenticationSession> {
    const tokens = await withDeviceCodePrompt((show, signal) => runDeviceFlow(this.idp, show, signal));
    return toVscode(await this.keeper.signedIn(tokens, SCOPES));
  }

  async removeSession(): Promise<void> {
    const { revoked } = await this.keeper.signOut();
    if (!revoked)
      void showWarning(vscode.l10n.t('CMDOP: Signed out here, but the identity provider could not be reached to revoke the token.'));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }
}

function toVscode(session: OAuthSession): vscode.AuthenticationSession {
  return { id: session.id, accessToken: session.accessToken, account: session.account, scopes: session.scopes };
}
