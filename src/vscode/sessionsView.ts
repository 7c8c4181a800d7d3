import * as vscode from 'vscode';
import { showInformation, showWarning } from './notify';
import type { FleetInfo } from '../core/fleet/fleetApi';
import { sessionArgument } from '../core/commands/commandArguments';
import { CmdopError, NotSignedInError } from '../core/errors';
import type { FleetContext } from '../core/fleet/fleetContext';
import { labelLines, labelText, MESSAGE_LIMIT, notificationName } from '../core/display/safeText';
import { type LiveSession, sessionRowText, sessionsKey, toLiveSessions } from '../core/fleet/liveSessions';
import { canUseSessions } from '../core/fleet/machines';
import { PresencePoller } from '../core/fleet/presence';
import type { RelayPool } from '../core/relay/relayPool';
import { fleetColor, terminalName } from '../core/relay/terminalIdentity';
import { refreshIntervalMs, REFRESH_INTERVAL_SETTING } from './machinesTree';
import { relayFor } from './relayAccess';
import { RemoteTerminal } from './remoteTerminal';

export type SessionNode = { kind: 'session'; fleet: FleetInfo; session: LiveSession } | { kind: 'message'; text: string; icon: string };

/**
 * The active fleet's live sessions (ListSessions), under the Machines view: machine, shared or private, who
 * opened it when the relay says, whether its shell runs and how many are attached, and its age. Polled like
 * the Machines tree (only while visible and focused); the view redraws only when something changed.
 */
export class SessionsView implements vscode.TreeDataProvider<SessionNode>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changes.event;
  private nodes: SessionNode[] | undefined;
  private shownKey = '';
  private loading: Promise<SessionNode[]> | undefined;
  private readonly poller = new PresencePoller(() => this.poll(), refreshIntervalMs());

  constructor(
    private readonly fleets: FleetContext,
    private readonly pool: RelayPool,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  watch(view: vscode.TreeView<SessionNode>): vscode.Disposable {
    this.poller.setVisible(view.visible);
    this.poller.setFocused(vscode.window.state.focused);
    return vscode.Disposable.from(
      view.onDidChangeVisibility((e) => this.poller.setVisible(e.visible)),
      vscode.window.onDidChangeWindowState((s) => this.poller.setFocused(s.focused)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`cmdop.${REFRESH_INTERVAL_SETTING}`)) this.poller.setInterval(refreshIntervalMs());
      }),
    );
  }

  refresh(): void {
    this.nodes = undefined;
    this.shownKey = '';
    this.poller.restartClock();
    this.changes.fire();
  }

  dispose(): void {
    this.poller.dispose();
    this.changes.dispose();
  }

  getTreeItem(node: SessionNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(labelText(node.text, MESSAGE_LIMIT));
      item.tooltip = labelLines(node.text);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      return item;
    }
    const { session: s, fleet } = node;
    const guest = !canUseSessions(fleet.role);
    const text = sessionRowText(s, fleet.name, guest);
    const item = new vscode.TreeItem(text.label);
    item.id = `session:${fleet.id}:${s.id}`;
    item.description = text.description;
    item.iconPath = new vscode.ThemeIcon(s.shellRunning ? 'terminal' : 'debug-disconnect', new vscode.ThemeColor(fleetColor(fleet.id)));
    item.tooltip = text.tooltip;
    item.contextValue = guest ? 'session.readOnly' : 'session';
    item.command = undefined;
    return item;
  }

  async getChildren(node?: SessionNode): Promise<SessionNode[]> {
    if (node) return [];
    if (!this.nodes) this.nodes = await this.load();
    this.shownKey = this.keyOf(this.nodes);
    return this.nodes;
  }

  /** Joins a session in a new terminal; a Guest's terminal is read-only. */
  async attach(argument: unknown): Promise<void> {
    const target = await this.sessionFor(argument, 'Attach to a session');
    if (!target) return;
    const { fleet, session } = target;
    const client = await relayFor(this.fleets, this.pool, fleet, false);
    const readOnly = !canUseSessions(fleet.role);
    const color = new vscode.ThemeColor(fleetColor(fleet.id));
    const terminal = vscode.window.createTerminal({
      name: `${terminalName({ name: session.name, hostname: session.hostname }, fleet.name)} · ${readOnly ? 'read-only' : 'attached'}`,
      pty: new RemoteTerminal(client, session.hostname, undefined, this.log, this.pool, { sessionId: session.id, readOnly }),
      iconPath: new vscode.ThemeIcon(readOnly ? 'eye' : 'plug', color),
      color,
    });
    terminal.show();
    setTimeout(() => this.refresh(), 1500); // its shell now runs, one more attached
  }

  /** Ends a session for everyone attached, after asking. */
  async close(argument: unknown): Promise<void> {
    const target = await this.sessionFor(argument, 'Close a session');
    if (!target) return;
    const { fleet, session } = target;
    if (!canUseSessions(fleet.role))
      throw new Error(`You are a Guest in fleet "${notificationName(fleet.name)}": guests cannot close sessions.`);
    const name = notificationName(session.name);
    const question = session.shared
      ? vscode.l10n.t('End the shared session on {0}?', name)
      : vscode.l10n.t('End the session on {0}?', name);
    const others = session.attached ? vscode.l10n.t('{0} terminal(s) attached to it will be disconnected.', session.attached) : '';
    const end = vscode.l10n.t('End Session');
    const answer = await showWarning(
      others ? `${question} ${others}` : question,
      { modal: true, detail: vscode.l10n.t('Its shell and everything running in it are ended. A new one starts on the next attach.') },
      end,
    );
    if (answer !== end) return;
    const client = await relayFor(this.fleets, this.pool, fleet, true);
    await client.closeSession(session.id, 'closed from the Sessions view');
    this.refresh();
  }

  /**
   * The session an argument names, as this view's own record: only the session id (and fleet id) are read, and
   * the session is looked up among the active fleet's live sessions, so a relay, role or hostname in the argument
   * is never used. No argument: picked.
   */
  private async sessionFor(argument: unknown, title: string): Promise<Extract<SessionNode, { kind: 'session' }> | undefined> {
    if (argument === undefined) return this.pick(title);
    const ref = sessionArgument(argument);
    if (!ref) throw new CmdopError('That is not a session: pick one in the Sessions view.');
    const find = (nodes: SessionNode[] | undefined) =>
      nodes?.find(
        (n): n is Extract<SessionNode, { kind: 'session' }> =>
          n.kind === 'session' && n.session.id === ref.sessionId && (ref.fleetId === undefined || n.fleet.id === ref.fleetId),
      );
    const found = find(this.nodes) ?? find(await this.load());
    if (!found) throw new CmdopError('That session is not live in the active fleet: pick one in the Sessions view.');
    return found;
  }

  private async pick(title: string): Promise<Extract<SessionNode, { kind: 'session' }> | undefined> {
    const sessions = (await this.load()).filter((n): n is Extract<SessionNode, { kind: 'session' }> => n.kind === 'session');
    if (sessions.length === 0) {
      void showInformation(vscode.l10n.t('CMDOP: The active fleet has no live sessions.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      sessions.map((n) => {
        const { label, description } = sessionRowText(n.session, n.fleet.name, !canUseSessions(n.fleet.role));
        return { label, description, node: n };
      }),
      { title: `CMDOP: ${title}` },
    );
    return picked?.node;
  }

  private async poll(): Promise<void> {
    const fresh = await this.load();
    if (this.keyOf(fresh) === this.shownKey) return;
    this.nodes = fresh;
    this.changes.fire();
  }

  private keyOf(nodes: SessionNode[]): string {
    return (
      nodes.map((n) => (n.kind === 'message' ? n.text : '')).join('|') +
      sessionsKey(nodes.flatMap((n) => (n.kind === 'session' ? [n.session] : [])))
    );
  }

  /** One ListSessions of the active fleet; concurrent callers share it. */
  private load(): Promise<SessionNode[]> {
    this.loading ??= this.fetch().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async fetch(): Promise<SessionNode[]> {
    let fleet: FleetInfo;
    try {
      fleet = (await this.fleets.current()).fleet;
    } catch (err) {
      // Signed out: an empty view shows its welcome text (sign in or add a key).
      if (err instanceof NotSignedInError) return [];
      return [{ kind: 'message', text: (err as Error).message, icon: 'info' }];
    }
    try {
      const client = await relayFor(this.fleets, this.pool, fleet, false);
      const [{ extensions }, items] = await Promise.all([client.capabilities(), client.listSessions()]);
      // An upstream relay has no shared/shell fields: proto defaults (false, 0) must not read as facts.
      const sessions = toLiveSessions(
        extensions ? items : items.map((i) => ({ ...i, shared: undefined, shell_started: undefined, attached_clients: undefined })),
      );
      if (sessions.length === 0) return [{ kind: 'message', text: `No live sessions in ${fleet.name}`, icon: 'info' }];
      return sessions.map((session) => ({ kind: 'session', fleet, session }));
    } catch (err) {
      return [{ kind: 'message', text: `Could not list sessions of ${fleet.name}: ${(err as Error).message}`, icon: 'error' }];
    }
  }
}
