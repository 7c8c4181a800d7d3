// The developers' rule "no function in src/ over 60 lines", checked: every function, method, arrow function and
// accessor in src/ is measured from its first line to its last with the TypeScript compiler's own parser.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const MAX_LINES = 60;
const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function nameOf(node: ts.SignatureDeclaration, file: ts.SourceFile): string {
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(file);
  return '(anonymous)';
}

/** `file:line name (N lines)` for every function in `path` longer than `max` lines. */
export function longFunctions(path: string, text: string, max = MAX_LINES): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push(`${relative(ROOT, path)}:${first + 1} ${nameOf(node, file)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('function length', () => {
  it(`no function in src/ is over ${MAX_LINES} lines`, () => {
    const long = sourceFiles(join(ROOT, 'src')).flatMap((path) => longFunctions(path, readFileSync(path, 'utf8')));
    assert.deepEqual(long, [], `split these functions (at most ${MAX_LINES} lines each):\n${long.join('\n')}`);
  });

  it('the checker sees a long arrow function inside an object, and not a long object or comment', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const long = `const table = {\n  run: () => {\n${body}\n  },\n};\n`;
    assert.deepEqual(longFunctions(join(ROOT, 'src', 'x.ts'), long), [`src/x.ts:2 run (${MAX_LINES + 2} lines)`]);
    const data = `const table = {\n${Array.from({ length: 80 }, (_, i) => `  k${i}: ${i},`).join('\n')}\n};\n`;
    assert.deepEqual(longFunctions(join(ROOT, 'src', 'x.ts'), data), []);
  });
});
