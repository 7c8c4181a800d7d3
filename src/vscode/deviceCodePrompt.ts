import * as vscode from 'vscode';
import { showInformation } from './notify';
import type { DeviceCode } from '../core/oauth/oidcClient';

/**
 * Runs `wait` under a cancellable progress notification that shows the user code, and offers
 * "Copy code & open browser" beside it, since progress notifications cannot carry buttons.
 */
export async function withDeviceCodePrompt<T>(wait: (show: (code: DeviceCode) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CMDOP: Signing in'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const show = (code: DeviceCode) => {
        const url = code.verificationUriComplete ?? code.verificationUri;
        const copyAndOpen = vscode.l10n.t('Copy code & open browser');
        progress.report({ message: vscode.l10n.t('enter code {0} at {1} — waiting for approval…', code.userCode, code.verificationUri) });
        void showInformation(
          vscode.l10n.t('CMDOP sign-in code: {0}', code.userCode),
          { detail: vscode.l10n.t('Open {0} and enter the code.', code.verificationUri) },
          copyAndOpen,
        ).then(async (choice) => {
          if (choice !== copyAndOpen) return;
          await vscode.env.clipboard.writeText(code.userCode);
          await vscode.env.openExternal(vscode.Uri.parse(url));
        });
      };
      return wait(show, abort.signal);
    },
  );
}
