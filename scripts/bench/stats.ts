// Small statistics helpers and the figure table every benchmark reports into.

/** Milliseconds one call takes, start to settled. */
export async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

export interface Goal {
  /** 'max': the value must not exceed `value`; 'min': it must reach it. */
  kind: 'max' | 'min';
  value: number;
  /** What the goal applies to: the figure itself, or its ratio to the baseline. */
  of: 'value' | 'ratio';
  text: string;
  /** A ratio goal that also caps the figure itself (e.g. ≤ 0.5× the baseline and ≤ 3 s). */
  valueAtMost?: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, e.g. the same calls made by a bare grpc-js client. */
  baseline?: { label: string; value: number };
  goal?: Goal;
  /** One line printed under the table: how the figure was taken. */
  note?: string;
  /** One line printed under the table when the goal is missed (or on --profile): where the time goes. */
  hint?: string;
  /** Raw samples and extras, kept in the JSON only. */
  detail?: Record<string, unknown>;
}

export const ratioOf = (f: Figure): number | undefined => (f.baseline ? f.value / f.baseline.value : undefined);

export function met(f: Figure): boolean | undefined {
  if (!f.goal) return undefined;
  const x = f.goal.of === 'ratio' ? ratioOf(f) : f.value;
  if (x === undefined || !Number.isFinite(x)) return false;
  if (f.goal.valueAtMost !== undefined && !(f.value <= f.goal.valueAtMost)) return false;
  return f.goal.kind === 'max' ? x <= f.goal.value : x >= f.goal.value;
}

export const fmt = (n: number): string =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

/** The ratio column: to the bare baseline when there is one, else to the goal's own number. */
function ratioCell(f: Figure): string {
  const r = ratioOf(f);
  if (r !== undefined) return `${r.toFixed(2)}× baseline`;
  if (f.goal && f.goal.of === 'value') return `${(f.value / f.goal.value).toFixed(2)}× goal`;
  return '';
}

/** Hints are printed for missed goals only, unless `allHints` (bench --profile). */
export function printTable(figures: Figure[], { allHints = false } = {}): void {
  const rows = figures.map((f) => {
    const ok = met(f);
    return [
      f.name,
      `${fmt(f.value)} ${f.unit}`,
      f.baseline ? `${f.baseline.label} ${fmt(f.baseline.value)} ${f.unit}` : '',
      ratioCell(f),
      f.goal?.text ?? '(reported)',
      ok === undefined ? '' : ok ? 'met' : 'MISSED',
    ];
  });
  const head = ['figure', 'measured', 'baseline', 'ratio', 'goal', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const f of figures) {
    if (f.note) console.log(`  ${f.name}: ${f.note}`);
    if (f.hint && (allHints || met(f) === false))
      console.log(`  ${f.name}: ${met(f) === false ? 'MISSED, where the time goes' : 'where the time goes'}: ${f.hint}`);
  }
}
