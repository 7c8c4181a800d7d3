import type { TerminalSession } from './terminalSession';

/**
 * All terminal sessions of the server. Ended sessions are kept (up to a
 * bound) so a late call can be told "closed" rather than "unknown".
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, TerminalSession>();

  constructor(private readonly endedToKeep = 1000) {}

  add(session: TerminalSession): void {
    this.sessions.set(session.id, session);
    void session.ended.then(() => this.pruneEnded());
  }

  get(id: string): TerminalSession | undefined {
    return this.sessions.get(id);
  }

  /** Running and kept ended sessions, oldest first. */
  all(fleetId?: string): TerminalSession[] {
    return [...this.sessions.values()].filter((s) => !fleetId || s.fleetId === fleetId);
  }

  running(fleetId?: string): TerminalSession[] {
    return [...this.sessions.values()].filter((s) => s.state !== 'ended' && (!fleetId || s.fleetId === fleetId));
  }

  /** Forgets every session, ended or not, as a restarted relay has (this project's relay-restart fault). */
  forgetAll(): void {
    this.sessions.clear();
  }

  private pruneEnded(): void {
    const ended = [...this.sessions.values()].filter((s) => s.state === 'ended');
    for (const session of ended.slice(0, Math.max(0, ended.length - this.endedToKeep))) {
      // An agent session's id is reused by its next shell: drop only the entry that is still this one.
      if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    }
  }
}
