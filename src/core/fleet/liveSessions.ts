import { labelLines, labelText, MESSAGE_LIMIT, safeName } from '../display/safeText';

/** A session item as ListSessions returns it (proto field names; the extension fields may be absent). */
export interface SessionInfoItem {
  session_id: string;
  machine_hostname: string;
  machine_name: string;
  status: string;
  os?: string;
  heartbeat_age_seconds?: string | number;
  has_shell?: boolean;
  connected_at?: { seconds: string | number; nanos?: number } | null;
  // EXTENSION fields of this project's relay (an upstream relay leaves them unset).
  shared?: boolean;
  shell_started?: boolean;
  attached_clients?: number;
  opened_by?: string;
}

/** One row of the Sessions view. */
export interface LiveSession {
  id: string;
  hostname: string;
  name: string;
  /** When the session (its agent connection) started, ms since the epoch; undefined when the relay does not say. */
  since?: number;
  /** Shared by everyone who attaches (a machine's agent session), or private to whoever opened it. */
  shared: boolean;
  /** Its shell runs now; undefined when the relay does not say. */
  shellRunning?: boolean;
  attached?: number;
  /** Who opened it, when the relay says. */
  openedBy?: string;
}

export function toLiveSessions(items: readonly SessionInfoItem[]): LiveSession[] {
  return items
    .filter((i) => i.status === 'connected' && i.session_id)
    .map((i): LiveSession => {
      const seconds = Number(i.connected_at?.seconds ?? 0);
      return {
        id: i.session_id,
        hostname: i.machine_hostname,
        name: i.machine_name || i.machine_hostname,
        since: seconds > 0 ? seconds * 1000 : undefined,
        // Upstream agent sessions are shared by design; only an explicit `false` says private.
        shared: i.shared !== false,
        shellRunning: i.shell_started,
        attached: i.attached_clients,
        openedBy: i.opened_by || undefined,
      };
    })
    .sort((a, b) => Number(!!b.shellRunning) - Number(!!a.shellRunning) || a.name.localeCompare(b.name, 'en'));
}

/** "12 s", "5 min", "3 h", "2 d": how long a session has been up. */
export function ageLabel(since: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

export function sessionDescription(s: LiveSession, now = Date.now()): string {
  const parts = [s.shared ? 'shared' : 'private'];
  if (s.openedBy) parts.push(`opened by ${s.openedBy}`);
  if (s.shellRunning === true) parts.push(s.attached ? `shell running · ${s.attached} attached` : 'shell running');
  else if (s.shellRunning === false) parts.push('idle');
  if (s.since !== undefined) parts.push(ageLabel(s.since, now));
  return parts.join(' · ');
}

/** What a row shows, to tell whether a poll changed anything. */
export function sessionsKey(sessions: readonly LiveSession[]): string {
  return JSON.stringify(sessions.map((s) => [s.id, s.name, s.shared, s.shellRunning, s.attached, s.openedBy, s.since]));
}

/** What a Sessions view row (and the session picker) shows; server names made safe for a tree item here, once. */
export interface SessionRowText {
  label: string;
  description: string;
  tooltip: string;
}

export function sessionRowText(s: LiveSession, fleetName: string, guest: boolean, now = Date.now()): SessionRowText {
  const tooltip = [
    `${safeName(s.name)} (${safeName(s.hostname)}) in ${safeName(fleetName)}`,
    `Session ${safeName(s.id)}`,
    s.shared ? 'Shared: everyone who attaches sees the same shell and types into it.' : 'Private session.',
    s.openedBy ? `Opened by ${safeName(s.openedBy)}` : 'The relay does not say who opened it.',
    guest
      ? 'You are a Guest here: you can attach read-only.'
      : 'Attach joins it in a terminal; closing that terminal leaves the session running.',
  ].join('\n');
  return { label: labelText(s.name), description: labelText(sessionDescription(s, now), MESSAGE_LIMIT), tooltip: labelLines(tooltip) };
}
