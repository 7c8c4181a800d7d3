import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('CMDOP', { log: true });
  const status = vscode.window.createStatusBarItem('cmdop.status', vscode.StatusBarAlignment.Left, 100);
  status.name = 'CMDOP';
  status.text = 'CMDOP: Sign in';
  status.command = 'cmdop.signIn';
  status.show();
  void vscode.commands.executeCommand('setContext', 'cmdop.signedIn', false);
  context.subscriptions.push(
    log,
    status,
    vscode.commands.registerCommand('cmdop.signIn', () => vscode.window.showInformationMessage('CMDOP: Sign-in is not yet available.')),
    vscode.commands.registerCommand('cmdop.showLog', () => log.show()),
  );
  log.info('CMDOP activated');
}

export function deactivate(): void {}
