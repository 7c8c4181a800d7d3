// Runtime text goes through vscode.l10n.t so a language pack can translate it: the glue's notifications, quick
// pick and input box titles, prompts and placeholders, progress titles and the status bar. This reads the
// glue's syntax trees and fails on English text that bypasses l10n.t, and on l10n/bundle.l10n.json (what
// `npm run l10n` extracts with @vscode/l10n-dev) falling out of step with the calls.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const GLUE = [join(root, 'src', 'extension.ts'), ...tsFiles(join(root, 'src', 'vscode'))];
const MESSAGE_CALLS =
  /^show(Information|Warning|Error)(Message)?$|^appendMarkdown$|^withProgress$|^report$|^showInputBox$|^showQuickPick$|^showWorkspaceFolderPick$/;
/** Properties people read, wherever an object literal in the glue sets them. */
const TEXT_PROPERTIES = new Set(['title', 'placeHolder', 'prompt', 'detail', 'validateInput', 'message']);
/** Assignments people read on status bar items, quick picks and input boxes. */
const TEXT_ASSIGNMENTS = new Set(['text', 'tooltip', 'title', 'placeholder', 'prompt']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/**
 * Text with a word in it: not a sample value such as `cmdop_…` or `web-*`, an icon (`$(cloud)`) or the product's
 * name, which are the same in every language.
 */
function isProse(text: string): boolean {
  const words = text.replace(/\$\([\w~-]+\)/g, '').replace(/\bCMDOP\b/g, '');
  return /[A-Za-z]/.test(words) && !/^[a-z0-9]*[_*-][a-z0-9_*.-]*…?$/i.test(text);
}

function isL10nCall(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && /(^|\.)l10n\.t$/.test(node.expression.getText());
}

/** Literal English in `node` outside l10n.t calls: string or template text with a letter in it. */
function bypassingText(node: ts.Node): string[] {
  if (isL10nCall(node)) return [];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return isProse(node.text) ? [node.text] : [];
  if (ts.isTemplateExpression(node)) {
    const parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('…');
    return [isProse(parts) ? [parts] : [], ...node.templateSpans.map((span) => bypassingText(span.expression))].flat();
  }
  // Keys, ids and comparisons are not shown: `{ location: …, cancellable: true }`, `choice === 'x'` are fine.
  if (ts.isPropertyAssignment(node) && !TEXT_PROPERTIES.has(node.name.getText())) return [];
  if (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind !== ts.SyntaxKind.BarBarToken &&
    node.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken
  )
    return node.operatorToken.kind === ts.SyntaxKind.PlusToken ? [...bypassingText(node.left), ...bypassingText(node.right)] : [];
  return node.getChildren().flatMap(bypassingText);
}

function calleeName(call: ts.CallExpression): string {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText();
}

interface Finding {
  where: string;
  text: string;
}

function findings(file: string): Finding[] {
  const source = parse(file);
  const found: Finding[] = [];
  const report = (node: ts.Node, texts: string[]) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    for (const text of texts) found.push({ where: `${relative(root, file)}:${line + 1}`, text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && MESSAGE_CALLS.test(calleeName(node))) {
      for (const argument of node.arguments) report(argument, bypassingText(argument));
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      TEXT_ASSIGNMENTS.has(node.left.name.text)
    ) {
      report(node.right, bypassingText(node.right));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The message of every l10n.t call: its first argument, a plain string (l10n-dev extracts nothing else). */
function l10nMessages(file: string): { messages: string[]; dynamic: string[] } {
  const source = parse(file);
  const messages: string[] = [];
  const dynamic: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isL10nCall(node)) {
      const first = node.arguments[0];
      if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) messages.push(first.text);
      else dynamic.push(`${relative(root, file)}: ${node.getText().slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { messages, dynamic };
}

describe('runtime text is localisable', () => {
  it('notifications, picker and input titles, prompts, progress and status bar text in the glue go through l10n.t', () => {
    const all = GLUE.flatMap(findings);
    assert.deepEqual(
      all.map((f) => `${f.where}: ${JSON.stringify(f.text)}`),
      [],
      'wrap these in vscode.l10n.t (placeholders {0}, {1} for what is inserted), then run npm run l10n',
    );
  });

  it('the checker sees what it must: literal text, a template, text beside a variable; not l10n.t or ids', () => {
    const sample = ts.createSourceFile(
      'sample.ts',
      [
        "vscode.window.showInformationMessage('CMDOP: Signed out.');",
        'vscode.window.showWarningMessage(`No match in ${host}.`, { modal: true, detail: vscode.l10n.t("fine") }, yes);',
        "item.text = 'Signed in as ' + name;",
        "item.text = '$(cloud) CMDOP';",
        "vscode.window.showErrorMessage(vscode.l10n.t('Refused: {0}', reason), vscode.l10n.t('Retry'));",
        "vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading') }, run);",
        "if (choice === 'Retry') item.tooltip = vscode.l10n.t('Sign in to CMDOP');",
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
    );
    const texts: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && MESSAGE_CALLS.test(calleeName(node))) node.arguments.forEach((a) => texts.push(...bypassingText(a)));
      else if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(node.left)
      )
        texts.push(...bypassingText(node.right));
      ts.forEachChild(node, visit);
    };
    visit(sample);
    assert.deepEqual(texts, ['CMDOP: Signed out.', 'No match in ….', 'Signed in as ']);
  });

  it('l10n/bundle.l10n.json holds exactly the messages of the l10n.t calls (npm run l10n writes it)', () => {
    const results = GLUE.map(l10nMessages);
    assert.deepEqual(
      results.flatMap((r) => r.dynamic),
      [],
      'l10n.t needs a literal message for the extractor',
    );
    const used = new Set(results.flatMap((r) => r.messages));
    const bundle = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
    const inBundle = new Set(Object.keys(bundle));
    assert.deepEqual(
      [...used].filter((m) => !inBundle.has(m)),
      [],
      'missing from the bundle: run npm run l10n',
    );
    assert.deepEqual(
      [...inBundle].filter((m) => !used.has(m)),
      [],
      'stale in the bundle: run npm run l10n',
    );
    assert.ok(used.size > 30, `only ${used.size} localised runtime texts`);
  });

  it('package.json points VS Code at the bundle', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(manifest.l10n, './l10n');
  });
});
