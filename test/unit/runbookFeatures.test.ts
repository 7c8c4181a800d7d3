// The runbook server's answers built alone from a parsed runbook and an analysis made from fixed facts: no
// process, no connection. The same server over LSP is covered by test/integration/runbookServer.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetsAnswer, GlobsAnswer, MachineFact, MachinesAnswer } from '../../src/core/runbook/protocol';
import { RUN_BLOCK_COMMAND, RUN_BLOCK_ON_COMMAND } from '../../src/core/runbook/protocol';
import { type Analysis, analyzeRunbook } from '../../src/runbook-server/analyzeRunbook';
import {
  SOURCE,
  codeLensesOf,
  completionFleet,
  completionPlace,
  diagnosticsOf,
  documentSymbols,
  fleetCompletions,
  hoverOf,
  machineCompletions,
  quickFixes,
  tokenAt,
} from '../../src/runbook-server/features';
import { parseRunbook } from '../../src/runbook-server/parseRunbook';

const fact = (hostname: string, online: boolean): MachineFact => ({ hostname, name: hostname, os: 'linux', online, lastSeen: null });
const KNOWN: Record<string, MachineFact> = { 'web-1': fact('web-1', true), 'web-2': fact('web-2', true), 'db-1': fact('db-1', false) };

const FLEETS: FleetsAnswer = {
  fleets: [
    { id: 'acme-prod', name: 'Acme production', role: 'Owner' },
    { id: 'partner-lab', name: 'Partner lab', role: 'Guest' },
  ],
  activeFleetId: 'acme-prod',
};

const facts = {
  fleets: async () => FLEETS,
  machines: async (_fleetId: string, hostnames: string[]): Promise<MachinesAnswer> => ({
    machines: Object.fromEntries(hostnames.map((h) => [h, KNOWN[h] ?? null])),
    suggestions: Object.fromEntries(hostnames.filter((h) => !KNOWN[h]).map((h) => [h, 'web-1'])),
  }),
  globs: async (_fleetId: string, patterns: string[]): Promise<GlobsAnswer> =>
    Object.fromEntries(patterns.map((p) => [p, { machines: p === 'web-*' ? [KNOWN['web-1'], KNOWN['web-2']] : [], truncated: false }])),
};

const TEXT = [
  '---', //                       0
  'fleet: acme-prod', //          1
  'targets: web-*', //            2
  '---', //                       3
  '# Restart', //                 4
  '```sh @web-1 @wbe-1', //       5
  'systemctl restart api', //     6
  '```', //                       7
  '## Check', //                  8
  '```sh', //                     9
  'uptime', //                    10
  '```', //                       11
].join('\n');

async function analysed(text = TEXT): Promise<{ runbook: ReturnType<typeof parseRunbook>; analysis: Analysis }> {
  const runbook = parseRunbook(text);
  return { runbook, analysis: await analyzeRunbook(runbook, facts) };
}

describe('runbook features', () => {
  it('diagnostics carry our source, the code and the quick fix suggestion; the quick fix replaces the range', async () => {
    const { analysis } = await analysed();
    const diagnostics = diagnosticsOf(analysis);
    const typo = diagnostics.find((d) => d.code === 'unknown-host')!;
    assert.equal(typo.source, SOURCE);
    assert.deepEqual(typo.range, { start: { line: 5, character: 14 }, end: { line: 5, character: 19 } });
    assert.deepEqual(typo.data, { suggestion: 'web-1' });
    const fixes = quickFixes('file:///r.runbook.md', [typo, { ...typo, source: 'other' }]);
    assert.equal(fixes.length, 1, 'only our own diagnostics get a fix');
    assert.equal(fixes[0].title, 'Replace with "web-1"');
    assert.deepEqual(fixes[0].edit?.changes?.['file:///r.runbook.md'], [{ range: typo.range, newText: 'web-1' }]);
  });

  it('lenses: ▶ Run on the resolved targets and Run on… for each runnable block, none for a Guest', async () => {
    const { analysis } = await analysed();
    const lenses = codeLensesOf(analysis);
    const titles = lenses.map((l) => `${l.range.start.line} ${l.command!.title}`);
    assert.ok(titles.includes('9 ▶ Run on web-1, web-2'), titles.join(' | '));
    assert.ok(titles.includes('9 Run on…'));
    const run = lenses.find((l) => l.command!.command === RUN_BLOCK_COMMAND && l.range.start.line === 9)!;
    assert.deepEqual(run.command!.arguments, [{ fleetId: 'acme-prod', hostnames: ['web-1', 'web-2'], command: 'uptime' }]);
    assert.ok(lenses.some((l) => l.command!.command === RUN_BLOCK_ON_COMMAND));
    const guest = await analysed(TEXT.replace('fleet: acme-prod', 'fleet: partner-lab'));
    assert.deepEqual(codeLensesOf(guest.analysis), []);
  });

  it('hover names the fleet and role, a glob’s matches, a machine’s presence; nothing off a token', async () => {
    const { runbook, analysis } = await analysed();
    const value = (line: number, character: number) => {
      const token = tokenAt(runbook, { line, character });
      const hover = token && hoverOf(runbook, analysis, token);
      return hover ? (hover.contents as { value: string }).value : undefined;
    };
    assert.match(value(1, 8)!, /\*\*Acme production\*\* \(acme\\-prod\) — your role: Owner/);
    assert.match(value(2, 10)!, /\*\*web\\-\\\*\*\* matches 2 machines \(2 online\) in Acme production/);
    assert.match(value(5, 8)!, /web\\-1/);
    assert.equal(value(6, 3), undefined);
  });

  it('completion: fleet ids after fleet:, machines and numbered families in targets and after @, nothing in a body', async () => {
    const runbook = parseRunbook(TEXT);
    const fleetPlace = completionPlace(runbook, 'fleet: ac', { line: 1, character: 9 });
    assert.deepEqual(fleetPlace, {
      kind: 'fleet',
      typed: 'ac',
      replace: { start: { line: 1, character: 7 }, end: { line: 1, character: 9 } },
    });
    assert.deepEqual(
      fleetCompletions(FLEETS, fleetPlace!.replace).map((i) => [i.label, i.detail]),
      [
        ['acme-prod', 'Acme production · Owner'],
        ['partner-lab', 'Partner lab · Guest'],
      ],
    );
    assert.equal(completionPlace(runbook, '```sh @we', { line: 9, character: 9 })?.kind, 'machine');
    assert.equal(completionPlace(runbook, 'targets: we', { line: 2, character: 11 })?.typed, 'we');
    assert.equal(completionPlace(runbook, 'uptime', { line: 10, character: 6 }), undefined);
    assert.equal(completionFleet(runbook, FLEETS)?.id, 'acme-prod');
    const items = machineCompletions([KNOWN['web-1'], KNOWN['web-2'], KNOWN['db-1']], fleetPlace!.replace);
    assert.deepEqual(
      items.map((i) => `${i.label} ${i.detail}`),
      ['web-1 online · linux', 'web-2 online · linux', 'db-1 offline · linux', 'web-* glob · 2 machines', 'db-* glob · 1 machines'],
    );
  });

  it('outline: headings nest by level and blocks sit under the heading they follow', () => {
    const symbols = documentSymbols(parseRunbook(TEXT), 12);
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'Restart');
    assert.deepEqual(
      symbols[0].children!.map((c) => [c.name, c.detail]),
      [
        ['systemctl restart api', 'sh · web-1, wbe-1'],
        ['Check', undefined],
      ],
    );
    assert.deepEqual(
      symbols[0].children![1].children!.map((c) => [c.name, c.detail]),
      [['uptime', 'sh · web-*']],
    );
    assert.ok(!('level' in symbols[0]), 'the nesting level stays inside');
  });
});
