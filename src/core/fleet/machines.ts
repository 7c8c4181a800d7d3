import type { Machine } from './fleetApi';
import type { Role } from '../oauth/tokens';

/** Guests are observer-only: they may look, never run. */
export function canUseSessions(role: Role): boolean {
  return role !== 'Guest';
}

/** "3 min ago", "2 h ago", "5 d ago": short enough for a tree item's description. */
export function lastSeenLabel(lastSeen: string | null, now = Date.now()): string {
  if (!lastSeen) return 'never seen';
  const t = Date.parse(lastSeen);
  if (Number.isNaN(t)) return 'never seen';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function machineDescription(m: Machine, now = Date.now()): string {
  return `${m.os || 'unknown OS'} · ${m.is_online ? 'online' : lastSeenLabel(m.last_seen, now)}`;
}

/** Online machines first, then recently used, then by name — the order of the machine picker. */
export function pickerOrder(machines: Machine[], recent: string[]): Machine[] {
  const rank = (m: Machine) => {
    const r = recent.indexOf(m.hostname);
    return r === -1 ? recent.length : r;
  };
  return [...machines].sort((a, b) => Number(b.is_online) - Number(a.is_online) || rank(a) - rank(b) || a.name.localeCompare(b.name));
}
