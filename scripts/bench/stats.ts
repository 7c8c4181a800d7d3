export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with (a bare client's figure, or the goal itself). */
  baseline?: { label: string; value: number };
  ratio?: number;
  goal: string;
  met: boolean;
  note?: string;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    f.baseline ? `${f.baseline.label}: ${fmt(f.baseline.value)} ${f.unit}` : '',
    f.ratio !== undefined ? `${f.ratio.toFixed(2)}×` : '',
    f.goal,
    f.met ? 'met' : 'MISSED',
  ]);
  const head = ['figure', 'measured', 'baseline', 'ratio', 'goal', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const f of figures.filter((x) => x.note)) console.log(`  ${f.name}: ${f.note}`);
}
