// The runbook language server, as a real process spoken to over LSP (no VS Code), with a scripted extension side
// answering its fleet requests from an in-memory fleet through the real FleetFacts cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Machine, MachinePage } from '../../src/core/fleet/fleetApi';
import { FleetFacts, type FleetFactsSource } from '../../src/core/runbook/fleetFacts';
import { type FleetFact, RUN_BLOCK_COMMAND, RUN_BLOCK_ON_COMMAND } from '../../src/core/runbook/protocol';
import { type Diagnostic, type RunbookLsp, startRunbookLsp } from './support/runbookLsp';

const machine = (hostname: string, online: boolean, os = 'linux'): Machine => ({
  id: hostname,
  name: hostname,
  hostname,
  os,
  is_online: online,
  status: online ? 'online' : 'offline',
  last_seen: online ? new Date().toISOString() : '2026-01-01T00:00:00.000Z',
  agent_version: '1',
});

/** The scripted extension side: two fleets, one where we are a Guest; counts REST pages served. */
class ScriptedFleet implements FleetFactsSource {
  pages = 0;
  fleetList: FleetFact[] = [
    { id: 'acme-prod', name: 'Acme production', role: 'Owner' },
    { id: 'partner-lab', name: 'Partner lab', role: 'Guest' },
  ];
  active = 'acme-prod';
  machinesOf: Record<string, Machine[]> = {
    'acme-prod': [machine('web-1', true), machine('web-2', true), machine('db-1', true), machine('batch-1', false, 'freebsd')],
    'partner-lab': [machine('lab-1', true)],
  };
  async fleets() {
    return { fleets: this.fleetList, activeFleetId: this.active };
  }
  async machines(fleetId: string, q: { page: number; pageSize: number; search?: string }): Promise<MachinePage> {
    this.pages++;
    const all = (this.machinesOf[fleetId] ?? []).filter((m) => !q.search || m.hostname.includes(q.search.toLowerCase()));
    const start = (q.page - 1) * q.pageSize;
    return { count: all.length, results: all.slice(start, start + q.pageSize), has_next: start + q.pageSize < all.length };
  }
}

const RUNBOOK = [
  '---', //                               0
  'fleet: acme-prod', //                  1
  'targets: web-1, db-*', //              2
  '---', //                               3
  '# Restart the API', //                 4
  '```sh @web-1 @db-1', //                5
  'systemctl restart api && echo "$HOSTNAME"', // 6
  '```', //                               7
  '## Typo', //                           8
  '```bash @wbe-1', //                    9
  'uptime', //                            10
  '```', //                               11
  '```sh @batch-1 @nope-*', //            12
  'df -h', //                             13
  '```', //                               14
  '```shell', //                          15
  'hostname', //                          16
  '```', //                               17
  '```python', //                         18
  'print("not a shell block")', //        19
  '```', //                               20
].join('\n');

const at = (diagnostics: Diagnostic[], line: number) => diagnostics.filter((d) => d.range.start.line === line);

describe('runbook language server over LSP', () => {
  const fleet = new ScriptedFleet();
  let facts = new FleetFacts(fleet);
  let lsp: RunbookLsp;
  let diagnostics: Diagnostic[];
  const uri = 'file:///work/restart.runbook.md';

  before(async () => {
    lsp = await startRunbookLsp(() => facts);
    diagnostics = await lsp.open(uri, RUNBOOK);
  });
  after(async () => {
    await lsp?.close();
  });

  it('flags an unknown hostname with the closest real one, and offers it as a quick fix', async () => {
    const [typo] = at(diagnostics, 9);
    assert.equal(typo.code, 'unknown-host');
    assert.equal(typo.severity, 1);
    assert.match(typo.message, /Unknown machine "wbe-1".*Did you mean "web-1"\?/);
    assert.deepEqual(typo.range, { start: { line: 9, character: 9 }, end: { line: 9, character: 14 } });
    const actions = await lsp.request<{ title: string; edit: { changes: Record<string, { newText: string; range: unknown }[]> } }[]>(
      'textDocument/codeAction',
      {
        textDocument: { uri },
        range: typo.range,
        context: { diagnostics: [typo] },
      },
    );
    assert.equal(actions.length, 1);
    assert.equal(actions[0].title, 'Replace with "web-1"');
    assert.deepEqual(actions[0].edit.changes[uri], [{ range: typo.range, newText: 'web-1' }]);
  });

  it('warns about an offline target and a glob that matches nothing', () => {
    const line12 = at(diagnostics, 12);
    const offline = line12.find((d) => d.code === 'offline')!;
    assert.equal(offline.severity, 2);
    assert.match(offline.message, /batch-1 is offline/);
    const glob = line12.find((d) => d.code === 'glob-matches-nothing')!;
    assert.equal(glob.severity, 2);
    assert.match(glob.message, /"nope-\*" matches no machine/);
  });

  it('has no complaint about known, online targets and a matching glob', () => {
    assert.deepEqual(at(diagnostics, 2), []);
    assert.deepEqual(at(diagnostics, 5), []);
  });

  it('asked for all hostnames of the document in one batch, one search each, without listing the fleet', () => {
    assert.equal(lsp.asked['cmdop/machines'], 1);
    assert.equal(lsp.asked['cmdop/globs'], 1);
    // web-1, db-1, wbe-1, batch-1 (a search each, wbe-1 plus its suggestion search) and two globs: never an unfiltered listing.
    assert.ok(fleet.pages <= 8, `${fleet.pages} pages`);
  });

  it('hover on a hostname shows presence, OS, last seen and the role', async () => {
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 5, character: 8 },
    });
    // Names are Markdown-escaped (`web\-1`), so a hostname can never be a link or markup.
    assert.match(hover.contents.value, /\*\*web\\-1\*\*.*online/);
    assert.match(hover.contents.value, /OS: linux/);
    assert.match(hover.contents.value, /your role: Owner/);
    const offline = await lsp.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 12, character: 8 },
    });
    assert.match(offline.contents.value, /batch\\-1.*offline/);
    assert.match(offline.contents.value, /OS: freebsd/);
    assert.match(offline.contents.value, /Last seen: 2026\\-01\\-01/);
  });

  it('code lenses: ▶ Run on the resolved targets with the block as typed, and Run on…', async () => {
    const lenses = await lsp.request<
      { range: { start: { line: number } }; command: { title: string; command: string; arguments: any[] } }[]
    >('textDocument/codeLens', { textDocument: { uri } });
    const onLine = (line: number) => lenses.filter((l) => l.range.start.line === line).map((l) => l.command);
    const [run, runOn] = onLine(5);
    assert.equal(run.title, '▶ Run on web-1, db-1');
    assert.equal(run.command, RUN_BLOCK_COMMAND);
    assert.deepEqual(run.arguments, [
      { fleetId: 'acme-prod', hostnames: ['web-1', 'db-1'], command: 'systemctl restart api && echo "$HOSTNAME"' },
    ]);
    assert.equal(runOn.title, 'Run on…');
    assert.equal(runOn.command, RUN_BLOCK_ON_COMMAND);
    // The typo block resolves to nothing: only "Run on…".
    assert.deepEqual(
      onLine(9).map((c) => c.title),
      ['Run on…'],
    );
    // The front matter's targets, glob expanded: web-1 and db-1.
    assert.equal(onLine(15)[0].title, '▶ Run on web-1, db-1');
    assert.deepEqual(onLine(18), []);
  });

  it('completes hostnames and globs after @ and fleet ids in the front matter', async () => {
    const hosts = await lsp.request<{ items?: { label: string }[] } | { label: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 9, character: 11 }, // typed "wb" after the @
    });
    const labels = (Array.isArray(hosts) ? hosts : hosts.items!).map((i) => i.label);
    assert.deepEqual(labels, []); // nothing contains "wb"
    const after = await lsp.change(uri, 2, RUNBOOK.replace('```bash @wbe-1', '```bash @we'));
    assert.ok(after.some((d) => d.code === 'unknown-host'));
    const web = await lsp.request<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 9, character: 11 },
    });
    assert.deepEqual(web.map((i) => i.label).sort(), ['web-*', 'web-1', 'web-2']);
    // In the front matter's targets line: after "web-1, d" (line 2, column 17) → db-1 and its family glob.
    const frontMatter = await lsp.request<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 17 },
    });
    assert.deepEqual(frontMatter.map((i) => i.label).sort(), ['db-*', 'db-1']);
    const fleets = await lsp.request<{ label: string; detail: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 1, character: 9 },
    });
    assert.deepEqual(
      fleets.map((i) => i.label),
      ['acme-prod', 'partner-lab'],
    );
    assert.match(fleets[1].detail, /Guest/);
    await lsp.change(uri, 3, RUNBOOK);
  });

  it('document symbols: headings nest, blocks sit under their heading', async () => {
    const symbols = await lsp.request<
      { name: string; detail?: string; children?: { name: string; detail?: string; children?: unknown[] }[] }[]
    >('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'Restart the API');
    const children = symbols[0].children!;
    assert.equal(children[0].name, 'systemctl restart api && echo "$HOSTNAME"');
    assert.equal(children[0].detail, 'sh · web-1, db-1');
    assert.equal(children[1].name, 'Typo');
    assert.deepEqual(
      (children[1].children as { name: string }[]).map((c) => c.name),
      ['uptime', 'df -h', 'hostname'],
    );
  });

  it('a block with no target anywhere is flagged', async () => {
    const bare = 'file:///work/bare.runbook.md';
    const d = await lsp.open(bare, '# Bare\n```sh\nuptime\n```\n');
    assert.equal(d.length, 1);
    assert.equal(d[0].code, 'no-target');
    assert.equal(d[0].range.start.line, 1);
  });

  it('an unknown fleet is an error on the fleet name, and nothing can run', async () => {
    const doc = 'file:///work/unknown-fleet.runbook.md';
    const d = await lsp.open(doc, '---\nfleet: acme-prd\ntargets: web-1\n---\n```sh\nuptime\n```\n');
    assert.equal(d.length, 1);
    assert.equal(d[0].code, 'unknown-fleet');
    assert.match(d[0].message, /Unknown fleet "acme-prd". Your fleets: acme-prod, partner-lab/);
    assert.deepEqual(d[0].range, { start: { line: 1, character: 7 }, end: { line: 1, character: 15 } });
    assert.deepEqual(await lsp.request('textDocument/codeLens', { textDocument: { uri: doc } }), []);
  });

  it('a Guest fleet: observer-only errors and no run lens', async () => {
    const doc = 'file:///work/guest.runbook.md';
    const d = await lsp.open(doc, '---\nfleet: partner-lab\n---\n```sh @lab-1\nuptime\n```\n');
    assert.deepEqual(
      d.map((x) => [x.code, x.severity, x.range.start.line]),
      [
        ['observer-only', 1, 1],
        ['observer-only', 1, 3],
      ],
    );
    assert.match(d[1].message, /Guest in fleet "Partner lab": guests are observer-only/);
    assert.deepEqual(await lsp.request('textDocument/codeLens', { textDocument: { uri: doc } }), []);
  });

  it('a presence change or fleet switch from the extension re-checks open runbooks', async () => {
    fleet.machinesOf['acme-prod'][3] = machine('batch-1', true, 'freebsd');
    assert.equal(await facts.refreshPresence(), true);
    const d = await lsp.factsChanged(uri);
    assert.ok(!at(d, 12).some((x) => x.code === 'offline'), 'batch-1 came online');
    // Switch the default fleet: a runbook without a fleet line now checks against partner-lab.
    fleet.active = 'partner-lab';
    facts = new FleetFacts(fleet);
    const bare = 'file:///work/bare.runbook.md';
    const next = await lsp.factsChanged(bare);
    assert.deepEqual(next.map((x) => x.code).sort(), ['no-target', 'observer-only']);
    fleet.active = 'acme-prod';
  });
});
