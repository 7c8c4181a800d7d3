import * as vscode from 'vscode';
import type { ActiveContext } from '../core/fleet/fleetContext';
import { activeStatus, problemTooltip } from '../core/fleet/statusText';

/** `$(cloud) <fleet> · <source>` when a credential resolves; `CMDOP: Sign in` otherwise. */
export class FleetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cmdop.status', vscode.StatusBarAlignment.Left, 100);

  constructor() {
    this.item.name = 'CMDOP';
    this.showSignedOut();
    this.item.show();
  }

  show(active: ActiveContext): void {
    const status = activeStatus(active);
    this.item.text = status.text;
    // Not trusted and no HTML: only the neutralised Markdown composed in core, with our own theme icons.
    const tip = new vscode.MarkdownString(status.tooltipMarkdown, true);
    this.item.tooltip = tip;
    this.item.command = 'cmdop.switchFleet';
    this.item.backgroundColor = undefined;
  }

  showSignedOut(): void {
    this.item.text = vscode.l10n.t('CMDOP: Sign in');
    this.item.tooltip = vscode.l10n.t('Sign in to CMDOP');
    this.item.command = 'cmdop.signIn';
    this.item.backgroundColor = undefined;
  }

  showProblem(message: string): void {
    this.item.text = '$(warning) CMDOP';
    this.item.tooltip = problemTooltip(message);
    this.item.command = 'cmdop.showLog';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
