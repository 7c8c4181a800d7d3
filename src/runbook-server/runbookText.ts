import { labelText, markdownText, MESSAGE_LIMIT, safeName } from '../core/display/safeText';
import { lastSeenLabel } from '../core/fleet/machines';
import type { FleetFact, GlobMatch, MachineFact } from '../core/runbook/protocol';

/**
 * What the runbook language server shows: hovers (Markdown), diagnostics (plain text), code lens and quick fix
 * titles (which render `$(icon)`). Fleet names, hostnames, OS names and error texts come from the server, so each
 * surface has its one neutraliser here.
 */

const md = (text: unknown) => markdownText(text);
const role = (fleet: FleetFact) => `${md(fleet.role)}${fleet.role === 'Guest' ? ' (observer\\-only)' : ''}`;

export function fleetHover(fleet: FleetFact): string {
  return `**${md(fleet.name)}** (${md(fleet.id)}) — your role: ${role(fleet)}`;
}

/** `pattern` is what the runbook says (a glob); the matches are the server's. */
export function globHover(pattern: string, match: GlobMatch, fleet: FleetFact): string {
  const online = match.machines.filter((m) => m.online).length;
  const names = match.machines
    .slice(0, 10)
    .map((m) => `${m.online ? '🟢' : '⚪'} ${md(m.hostname)}`)
    .join('  \n');
  return `**${md(pattern)}** matches ${match.machines.length}${match.truncated ? '+' : ''} machines (${online} online) in ${md(fleet.name)}\n\n${names}`;
}

export function machineHover(machine: MachineFact, fleet: FleetFact): string {
  const presence = machine.online ? '🟢 online' : `⚪ offline (last seen ${md(lastSeenLabel(machine.lastSeen))})`;
  const seen = machine.online ? 'now' : machine.lastSeen ? `${md(machine.lastSeen)} (${md(lastSeenLabel(machine.lastSeen))})` : 'never';
  return [
    `**${md(machine.hostname)}**${machine.name && machine.name !== machine.hostname ? ` (${md(machine.name)})` : ''} — ${presence}`,
    '',
    `OS: ${md(machine.os || 'unknown')}  `,
    `Last seen: ${seen}  `,
    `Fleet: ${md(fleet.name)} (${md(fleet.id)}), your role: ${role(fleet)}`,
  ].join('\n');
}

/** A diagnostic's message: one line, no controls or bidi overrides, no link or codicon syntax, bounded. */
export function diagnosticText(message: string): string {
  return labelText(message, MESSAGE_LIMIT);
}

/** "▶ Run on web-1, db-1" or "… +7 more": short enough for a code lens, which renders `$(icon)`. */
export function runLensTitle(hostnames: string[]): string {
  const shown = hostnames
    .slice(0, 3)
    .map((h) => safeName(h, 40))
    .join(', ');
  return labelText(`▶ Run on ${hostnames.length > 3 ? `${shown} +${hostnames.length - 3} more` : shown}`, MESSAGE_LIMIT);
}

/** A quick fix's title (the code action menu renders `$(icon)` too). */
export function replaceTitle(suggestion: string): string {
  return labelText(`Replace with "${safeName(suggestion)}"`, MESSAGE_LIMIT);
}
