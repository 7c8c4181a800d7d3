import type { FanOutCounts, MachineResult, Outcome } from './fanOut';
import { compareHostnames } from './grouping';

/** `✓ 37 ✗ 2 ⏱ 1`, with the rarer states only when present. */
export function countsLabel(c: FanOutCounts): string {
  const parts = [`✓ ${c.ok}`, `✗ ${c.failed + c.error}`];
  if (c.timeout) parts.push(`⏱ ${c.timeout}`);
  if (c.cancelled) parts.push(`⊘ ${c.cancelled}`);
  if (c.skipped) parts.push(`offline ${c.skipped}`);
  if (c.running + c.pending > 0) parts.push(`… ${c.running + c.pending}`);
  return parts.join(' ');
}

const OUTCOME_RANK: Record<Outcome, number> = { error: 0, failed: 1, timeout: 2, cancelled: 3, skipped: 4, ok: 5 };

/** Failures first (errors, non-zero exits, timeouts), then cancelled, offline, and the successes; by hostname within each. */
export function failuresFirst(results: MachineResult[]): MachineResult[] {
  return [...results].sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome] || compareHostnames(a.hostname, b.hostname));
}

export function isFailure(r: MachineResult): boolean {
  return r.outcome === 'failed' || r.outcome === 'error' || r.outcome === 'timeout';
}

export interface RunSummary {
  command: string;
  fleet: string;
  startedAt: string;
  results: MachineResult[];
}

export function runAsJson(run: RunSummary): string {
  return JSON.stringify(
    {
      command: run.command,
      fleet: run.fleet,
      startedAt: run.startedAt,
      machines: failuresFirst(run.results).map((r) => ({
        hostname: r.hostname,
        outcome: r.outcome,
        exitCode: r.exitCode ?? null,
        durationMs: Math.round(r.durationMs),
        output: r.output,
        truncated: r.truncated,
        ...(r.detail ? { detail: r.detail } : {}),
      })),
    },
    null,
    2,
  );
}

export function runAsMarkdown(run: RunSummary): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const firstLine = (text: string) => {
    const line = text.trim().split('\n')[0] ?? '';
    return line.length > 80 ? `${line.slice(0, 79)}…` : line;
  };
  const rows = failuresFirst(run.results).map(
    (r) =>
      `| ${cell(r.hostname)} | ${r.outcome} | ${r.exitCode ?? ''} | ${Math.round(r.durationMs)} ms | ${cell(r.detail ?? firstLine(r.output))} |`,
  );
  return [
    `**\`${run.command}\`** on ${run.fleet}, ${run.startedAt}`,
    '',
    '| machine | outcome | exit | duration | output / detail |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
