// The runbook format: Markdown with an optional front matter and shell blocks whose info string may name targets.
//
//   ---
//   fleet: acme-prod
//   targets: web-1, db-*
//   ---
//   ```sh @web-1 @db-1
//   systemctl restart api
//   ```
//
// Front matter keys: `fleet` (id or name; default: the active fleet) and `targets` (comma/space separated,
// `[a, b]` or a YAML list). A block's `@host` / `@glob` words replace the front matter's targets for that block.

export interface Span {
  line: number;
  start: number;
  end: number;
}

export interface Token extends Span {
  text: string;
}

export interface ShellBlock {
  /** Line of the opening fence. */
  line: number;
  /** Line of the closing fence (the last line of the document when unclosed). */
  endLine: number;
  language: string;
  /** `@` targets of the info string (without the `@`). */
  targets: Token[];
  /** The block's text exactly as written between the fences. */
  body: string;
}

export interface Heading {
  line: number;
  level: number;
  text: string;
}

export interface Runbook {
  fleet?: Token;
  /** Line of the `fleet:` key, for the place of diagnostics about the default fleet. */
  frontMatter?: { startLine: number; endLine: number };
  targets: Token[];
  /** The line of `targets:` (completion there offers hostnames). */
  targetLines: number[];
  blocks: ShellBlock[];
  headings: Heading[];
}

export const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);

/** Words of `text` (separated by commas, spaces, brackets or quotes) with their columns. */
function words(text: string, line: number, offset: number): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/[^\s,[\]'"]+/g)) {
    tokens.push({ text: m[0], line, start: offset + m.index!, end: offset + m.index! + m[0].length });
  }
  return tokens;
}

export function parseRunbook(text: string): Runbook {
  const lines = text.split(/\r?\n/);
  const runbook: Runbook = { targets: [], targetLines: [], blocks: [], headings: [] };
  let i = parseFrontMatter(lines, runbook);
  for (; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (fence) {
      i = parseFence(lines, i, fence, runbook);
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) runbook.headings.push({ line: i, level: heading[1].length, text: heading[2] });
  }
  return runbook;
}

/** Reads `fleet:` and `targets:` (inline or as a list) of a leading `---` block; returns the first line after it. */
function parseFrontMatter(lines: string[], runbook: Runbook): number {
  if (lines[0]?.trim() !== '---') return 0;
  const end = lines.findIndex((l, n) => n > 0 && /^(---|\.\.\.)\s*$/.test(l));
  if (end <= 0) return 0;
  runbook.frontMatter = { startLine: 0, endLine: end };
  let inTargetsList = false;
  for (let n = 1; n < end; n++) {
    const line = lines[n];
    const key = /^(\w+)\s*:\s*(.*)$/.exec(line);
    if (key) {
      inTargetsList = false;
      const valueStart = line.length - key[2].length;
      if (key[1] === 'fleet') {
        const [fleet] = words(key[2], n, valueStart);
        runbook.fleet = fleet ?? { text: '', line: n, start: line.length, end: line.length };
      } else if (key[1] === 'targets') {
        runbook.targetLines.push(n);
        runbook.targets.push(...words(key[2], n, valueStart));
        inTargetsList = key[2].trim() === '';
      }
      continue;
    }
    const item = /^(\s*-\s+)(.*)$/.exec(line);
    if (inTargetsList && item) {
      runbook.targetLines.push(n);
      runbook.targets.push(...words(item[2], n, item[1].length));
    }
  }
  return end + 1;
}

/** Adds the fenced block opening at line `i` when it is a shell block; returns the line of its closing fence. */
function parseFence(lines: string[], i: number, fence: RegExpExecArray, runbook: Runbook): number {
  const [, indent, marks, info] = fence;
  const close = new RegExp(`^ {0,3}${marks[0] === '`' ? '`' : '~'}{${marks.length},}\\s*$`);
  let end = i + 1;
  while (end < lines.length && !close.test(lines[end])) end++;
  const infoStart = lines[i].length - info.length;
  const [language, ...rest] = words(info, i, infoStart);
  if (language && SHELL_LANGUAGES.has(language.text.toLowerCase())) {
    runbook.blocks.push({
      line: i,
      endLine: Math.min(end, lines.length - 1),
      language: language.text,
      targets: rest
        .filter((w) => w.text.startsWith('@') && w.text.length > 1)
        .map((w) => ({ ...w, text: w.text.slice(1), start: w.start + 1 })),
      body: lines
        .slice(i + 1, end)
        .map((l) => stripIndent(l, indent.length))
        .join('\n'),
    });
  }
  return end;
}

/** A fence indented by N spaces strips up to N spaces from its content lines (CommonMark). */
function stripIndent(line: string, n: number): string {
  let k = 0;
  while (k < n && line[k] === ' ') k++;
  return line.slice(k);
}

/** The targets a block runs on: its own `@` targets, else the front matter's. */
export function blockTargets(runbook: Runbook, block: ShellBlock): Token[] {
  return block.targets.length > 0 ? block.targets : runbook.targets;
}
