import { formatMs, type MachineResult } from '../fanOut/fanOut';
import { compareHostnames, groupOutputs } from '../fanOut/grouping';
import { countsLabel } from '../fanOut/runReport';
import type { FanOutCounts } from '../fanOut/fanOut';
import type { Machine } from '../fleet/fleetApi';
import { lastSeenLabel } from '../fleet/machines';
import { markdownText, safeLines, wholeName } from '../display/safeText';
import { codeBlock } from './codeBlock';
import { stateChangeWarning } from './stateChange';
import { isGlob } from '../fanOut/hostGlob';
import type { RunCommandInput } from './toolInput';
import { trimMiddle } from './tokenBudget';

export interface ConfirmationText {
  title: string;
  /** Markdown. */
  message: string;
}

/**
 * What the person is asked before a command runs, computed from the input alone (nothing remote):
 * exact hostnames are counted, globs are named ("machines matching web-*"), since what they match is
 * only known when the run starts.
 */
export function runConfirmation(input: RunCommandInput, fleetName: string, timeoutSeconds: number): ConfirmationText {
  const exact = input.machines.filter((m) => !isGlob(m));
  const globs = input.machines.filter(isGlob);
  const fleet = wholeName(fleetName);
  const counted = exact.length ? `${exact.length} machine${exact.length === 1 ? '' : 's'}` : '';
  const matching = globs.length ? `machines matching ${globs.map(wholeName).join(', ')}` : '';
  const title = `Run on ${[counted, matching].filter(Boolean).join(' and ')} in ${fleet}?`;
  const lines: string[] = [];
  if (exact.length) lines.push(`**Machines:** ${exact.map((m) => markdownText(m, Number.POSITIVE_INFINITY)).join(', ')}`);
  if (globs.length)
    lines.push(
      `**Hostname patterns:** ${globs.map((g) => markdownText(g, Number.POSITIVE_INFINITY)).join(', ')} (matched when you continue; offline machines are skipped)`,
    );
  lines.push('', '**Command:**', '', codeBlock(input.command, 'sh'), '');
  const warning = stateChangeWarning(input.command);
  if (warning) lines.push(`**${warning}**`, '');
  lines.push(
    `Runs with your own CMDOP credential and role; each machine stops after ${timeoutSeconds ? `${timeoutSeconds} s` : 'no limit'}.`,
  );
  return { title, message: lines.join('\n') };
}

export interface FleetLine {
  name: string;
  id: string;
  role: string;
  identity?: string;
}

/** The cmdop_listMachines result: the fleet, the caller's role, one line per machine. */
export function machineListText(
  fleet: FleetLine,
  machines: readonly Machine[],
  filter: { hostname?: string; onlineOnly: boolean },
  now = Date.now(),
): { head: string; lines: string[] } {
  const online = machines.filter((m) => m.is_online).length;
  const what = [filter.hostname ? `matching ${filter.hostname}` : '', filter.onlineOnly ? 'online' : ''].filter(Boolean).join(', ');
  const head = [
    `Fleet "${wholeName(fleet.name)}" (id ${wholeName(fleet.id)}); the user's role there: ${fleet.role}${fleet.identity ? ` (as ${wholeName(fleet.identity)})` : ''}.`,
    fleet.role === 'Guest' ? 'Guests are observer-only: the user can list machines but cannot run commands on them.' : '',
    `${machines.length} machine${machines.length === 1 ? '' : 's'}${what ? ` (${what})` : ''}, ${online} online:`,
  ]
    .filter(Boolean)
    .join('\n');
  const lines = machines.map((m) => {
    const seen = m.last_seen ? `last seen ${wholeName(m.last_seen)} (${lastSeenLabel(m.last_seen, now)})` : 'never seen';
    const name = m.name && m.name !== m.hostname ? ` "${wholeName(m.name)}"` : '';
    return `- ${wholeName(m.hostname)}${name}: ${m.is_online ? 'online' : 'offline'}, OS ${wholeName(m.os) || 'unknown'}, ${seen}`;
  });
  return { head, lines };
}

export interface RunSummaryText {
  command: string;
  fleetName: string;
  runId: number;
  results: readonly MachineResult[];
  counts: FanOutCounts;
}

/**
 * The cmdop_runCommand result, each output cut to `allowance` characters (Infinity: whole, 0: left out):
 * machines that printed the same text share one block, as in the Runs view; skipped and cancelled
 * machines are listed by name.
 */
export function runResultText(run: RunSummaryText, allowance: number): string {
  const ran = run.results.filter((r) => r.outcome !== 'skipped' && r.outcome !== 'cancelled');
  const out: string[] = [
    `Ran \`${wholeName(run.command)}\` on ${ran.length} machine${ran.length === 1 ? '' : 's'} in ${wholeName(run.fleetName)} (run #${run.runId} in the CMDOP Runs view): ${countsLabel(run.counts)}.`,
  ];
  const byName = (outcome: MachineResult['outcome']) =>
    run.results.filter((r) => r.outcome === outcome).sort((a, b) => compareHostnames(a.hostname, b.hostname));
  const skipped = byName('skipped');
  if (skipped.length)
    out.push(`Skipped, not run: ${skipped.map((r) => `${wholeName(r.hostname)} (${wholeName(r.detail ?? 'offline')})`).join(', ')}.`);
  const cancelled = byName('cancelled');
  if (cancelled.length)
    out.push(`Cancelled: ${cancelled.map((r) => `${wholeName(r.hostname)} (${wholeName(r.detail ?? 'cancelled')})`).join(', ')}.`);
  const byHost = new Map(run.results.map((r) => [r.hostname, r]));
  for (const group of groupOutputs([...run.results]).groups) {
    const members = group.hostnames.map((h) => byHost.get(h)!);
    const who = members.map((r) => `${wholeName(r.hostname)} (${outcomePhrase(r)})`).join(', ');
    const text = safeLines(group.output).trimEnd();
    const shared = members.length > 1 ? ' — same output' : '';
    out.push('', `${who}${shared}:`);
    if (!text) out.push('(no output)');
    else if (allowance <= 0)
      out.push(`(output left out to fit the token budget: ${text.length} characters; open run #${run.runId} in the Runs view)`);
    else out.push(codeBlock(Number.isFinite(allowance) ? trimMiddle(text, allowance) : text));
    if (members.some((r) => r.truncated)) out.push('(output cut at the per-machine limit while running)');
  }
  return out.join('\n');
}

/** How one machine's part ended, in a few words. */
export function outcomePhrase(r: MachineResult): string {
  switch (r.outcome) {
    case 'ok':
    case 'failed':
      return `exit ${r.exitCode}${r.signal ? `, signal ${r.signal}` : ''}`;
    case 'timeout':
      return `timed out after ${formatMs(r.durationMs)}, session closed`;
    case 'cancelled':
      return 'cancelled';
    case 'error':
      return `not run: ${wholeName(r.detail ?? 'error')}`;
    case 'skipped':
      return `skipped: ${wholeName(r.detail ?? 'offline')}`;
  }
}
