import { labelText } from '../display/safeText';
/**
 * How a CMDOP terminal is named and coloured: `CMDOP: <host> (<fleet>)`, in a colour that stays the same for
 * a fleet across windows and restarts, so terminals of production and staging are told apart at a glance.
 */
export const FLEET_COLORS = [
  'terminal.ansiBlue',
  'terminal.ansiGreen',
  'terminal.ansiMagenta',
  'terminal.ansiCyan',
  'terminal.ansiYellow',
  'terminal.ansiRed',
  'terminal.ansiBrightBlue',
  'terminal.ansiBrightMagenta',
] as const;

/** A stable colour id for a fleet (FNV-1a of its id, so the same fleet always gets the same colour). */
export function fleetColor(fleetId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < fleetId.length; i++) {
    hash ^= fleetId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return FLEET_COLORS[hash % FLEET_COLORS.length];
}

export function terminalName(machine: { name?: string; hostname: string }, fleetName: string, prefix = 'CMDOP'): string {
  // A terminal tab renders `$(icon)` in its name like a label does.
  return `${prefix}: ${labelText(machine.name || machine.hostname)} (${labelText(fleetName)})`;
}
