import type { FleetInfo, Machine } from '../fleet/fleetApi';
import { machineDescription } from '../fleet/machines';
import type { MachineFact } from '../runbook/protocol';
import { iconLabel, labelText, MESSAGE_LIMIT } from './safeText';

/**
 * Quick pick rows. A quick pick renders `$(icon)` in its label, description and detail, so every server text in a
 * row (hostnames, machine and fleet names, OS, relay address, file paths and previews, error texts) passes through
 * here; the only codicons left are our own.
 */
export interface PickText {
  label: string;
  description?: string;
  detail?: string;
}

const machineIcon = (online: boolean) => (online ? 'vm-running' : 'vm-outline');

/** A machine of the palette's machine picker (Open Shell, Run Command, the CMDOP Shell profile). */
export function machinePickText(m: Machine, recentlyUsed: boolean): PickText {
  return {
    label: iconLabel(machineIcon(m.is_online), m.name || m.hostname),
    description: labelText(machineDescription(m) + (recentlyUsed ? ' · recently used' : ''), MESSAGE_LIMIT),
    detail: labelText(m.hostname),
  };
}

/** A machine of a runbook's "Run on…" picker. */
export function machineFactPickText(m: MachineFact): PickText {
  return {
    label: iconLabel(machineIcon(m.online), m.hostname),
    description: labelText(`${m.os || 'unknown OS'} · ${m.online ? 'online' : 'offline'}`, MESSAGE_LIMIT),
  };
}

/** A fleet in Switch Fleet (with its credential sources) or Run on Fleet. */
export function fleetPickText(fleet: FleetInfo, active: boolean, sources?: string[]): PickText {
  const role = `${fleet.role}${fleet.role === 'Guest' ? ' (observer-only)' : ''}`;
  return sources
    ? {
        label: active ? iconLabel('check', fleet.name) : labelText(fleet.name),
        description: labelText(sources.join(', ')),
        detail: labelText(`${role} · relay ${fleet.relay}`, MESSAGE_LIMIT),
      }
    : { label: labelText(fleet.name), description: labelText(`${fleet.role}${active ? ' · active' : ''}`) };
}

/** A stored fleet API key in Remove Fleet API Key: its fleet's and key's names, and what the server says of it. */
export function storedKeyPickText(fleetName: string, keyName: string, status: string): PickText {
  return { label: labelText(fleetName), description: labelText(keyName), detail: labelText(status, MESSAGE_LIMIT) };
}

/** A file or a matching line found on a machine: its name, folder and the line's text. */
export function fileHitPickText(name: string, folder: string, preview: string): PickText {
  return {
    label: labelText(name, MESSAGE_LIMIT),
    description: labelText(folder, MESSAGE_LIMIT),
    detail: preview ? labelText(preview, MESSAGE_LIMIT) : undefined,
  };
}

/** A row that says why a list could not be loaded. */
export function errorPickText(message: string): PickText {
  return { label: iconLabel('error', message, MESSAGE_LIMIT) };
}
