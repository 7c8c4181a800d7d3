import * as vscode from 'vscode';
import { showInformation } from './notify';
import type { DeviceCode } from '../core/oauth/oidcClient';

/**
 * Runs `wait` under a cancellable progress notification that shows the user code, and offers
 * "Copy code & open browser" beside it, since progress notifications cannot carry buttons.
 */
export async function withDeviceCodePrompt<T>(wait: (show: (code: DeviceCode) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'CMDOP: Signing in', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const show = (code: DeviceCode) => {
        const url = code.verificationUriComplete ?? code.verificationUri;
        progress.report({ message: `enter code ${code.userCode} at ${code.verificationUri} — waiting for approval…` });
        void showInformation(
          `CMDOP sign-in code: ${code.userCode}`,
          { detail: `Open ${code.verificationUri} and enter the code.` },
          'Copy code & open browser',
        ).then(async (choice) => {
          if (choice !== 'Copy code & open browser') return;
          await vscode.env.clipboard.writeText(code.userCode);
          await vscode.env.openExternal(vscode.Uri.parse(url));
        });
      };
      return wait(show, abort.signal);
    },
  );
}
