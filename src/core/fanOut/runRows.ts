import { labelLines, labelText, MESSAGE_LIMIT, safeName } from '../display/safeText';
import { formatMs, type FanOutCounts, type MachineResult } from './fanOut';
import type { OutputGroup } from './grouping';
import type { FanOutRunInfo } from './runHistory';
import { countsLabel } from './runReport';

/** What one row of the Runs view shows, every part already neutralised for a tree item. */
export interface RowText {
  label: string;
  description: string;
  tooltip: string;
  accessibility: string;
}

/**
 * The one place Runs view text is made safe: commands, hostnames, fleet names, error details and outputs come
 * from servers and machines, and a tree item renders `$(icon)` in its label, description and tooltip.
 */
function row(label: string, description: string, tooltip: string, accessibility = label): RowText {
  return {
    label: labelText(label, MESSAGE_LIMIT),
    description: labelText(description, MESSAGE_LIMIT),
    tooltip: labelLines(tooltip),
    accessibility: safeName(accessibility, MESSAGE_LIMIT),
  };
}

export function runRowText(run: FanOutRunInfo, c: FanOutCounts): RowText {
  const fromChat = run.origin === 'chat';
  const fleet = safeName(run.fleetName);
  // Counts first: a narrow side bar cuts the end of the description.
  const description = `${countsLabel(c)} · ${fleet} · ${run.startedAt.toLocaleTimeString()}${fromChat ? ' · from chat' : ''}`;
  const tooltip = `\`${safeName(run.command, MESSAGE_LIMIT)}\` on ${c.total} machines in ${fleet}, started ${run.startedAt.toLocaleString()}${fromChat ? ' by the chat agent (you confirmed it)' : ''}\n${countsLabel(c)}${run.fanOut.isDone ? '' : ' (running)'}`;
  return row(run.comparesFile ? `Compare ${run.command}` : run.command, description, tooltip);
}

export function groupRowText(run: FanOutRunInfo, group: OutputGroup): RowText {
  const same = run.comparesFile ? `have the same ${run.command.split('/').pop()}` : 'printed the same';
  const first = group.output.trim().split('\n')[0] ?? '';
  const hosts = group.hostnames.map((h) => safeName(h)).join(', ');
  return row(
    `${group.hostnames.length} machines ${same}`,
    first ? labelText(first, 60) : '(no output)',
    `${hosts}\n\n${group.output.slice(0, 2000)}`,
  );
}

export function machineRowText(r: MachineResult): RowText {
  const host = safeName(r.hostname);
  const result = describeResult(r);
  const tooltip = `${host}: ${result}${r.detail ? `\n${r.detail}` : ''}${r.truncated ? '\nOutput cut at the per-machine limit.' : ''}`;
  return row(host, result, tooltip, `${host}, ${result}`);
}

export function describeResult(r: MachineResult): string {
  const took = formatMs(r.durationMs);
  switch (r.outcome) {
    case 'ok':
    case 'failed':
      return `exit ${r.exitCode}${r.signal ? ` (signal ${r.signal})` : ''} · ${took}`;
    case 'timeout':
      return `timed out · ${took}`;
    case 'cancelled':
      return r.durationMs > 0 ? `cancelled · ${took}` : 'cancelled';
    case 'error':
      return `not run: ${r.detail ?? 'error'}`;
    case 'skipped':
      return `skipped: ${r.detail ?? 'offline'}`;
  }
}
