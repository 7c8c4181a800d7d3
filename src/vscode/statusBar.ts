import * as vscode from 'vscode';
import { sourceLabel } from '../core/credentials/credential';
import type { ActiveContext } from '../core/fleet/fleetContext';

/** `$(cloud) <fleet> · <source>` when a credential resolves; `CMDOP: Sign in` otherwise. */
export class FleetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cmdop.status', vscode.StatusBarAlignment.Left, 100);

  constructor() {
    this.item.name = 'CMDOP';
    this.showSignedOut();
    this.item.show();
  }

  show(active: ActiveContext): void {
    const { fleet, credential, identity, expiresAt } = active;
    this.item.text = `$(cloud) ${fleet.name} · ${sourceLabel(credential.source)}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**CMDOP** — ${escape(identity)}\n\n`);
    tip.appendMarkdown(`Fleet: **${escape(fleet.name)}** (${escape(fleet.id)})\n\n`);
    tip.appendMarkdown(`Role: ${fleet.role}${fleet.role === 'Guest' ? ' (observer-only)' : ''}\n\n`);
    tip.appendMarkdown(`Credential: ${sourceLabel(credential.source)}\n\n`);
    tip.appendMarkdown(`Expires: ${expiresAt ? new Date(expiresAt).toLocaleString() : 'never'}\n\n`);
    tip.appendMarkdown('Click to switch fleet.');
    this.item.tooltip = tip;
    this.item.command = 'cmdop.switchFleet';
    this.item.backgroundColor = undefined;
  }

  showSignedOut(): void {
    this.item.text = 'CMDOP: Sign in';
    this.item.tooltip = 'Sign in to CMDOP';
    this.item.command = 'cmdop.signIn';
    this.item.backgroundColor = undefined;
  }

  showProblem(message: string): void {
    this.item.text = '$(warning) CMDOP';
    this.item.tooltip = message;
    this.item.command = 'cmdop.showLog';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}

const escape = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
