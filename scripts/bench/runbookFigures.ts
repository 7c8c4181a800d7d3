// Runbook language server figures, over LSP to the bundled server (dist/runbookServer.js) with the extension's
// real FleetFacts answering from the local fleet server's REST API: diagnostics of a 1,000-block runbook, and
// completion latency in the 10,000-machine fleet.
import path from 'node:path';
import type { FleetServer } from '../../fleet-server/src/index';
import { approveDeviceCode } from '../../fleet-server/src/testing/approveDevice';
import type { Credential } from '../../src/core/credentials/credential';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { runDeviceFlow } from '../../src/core/oauth/deviceFlow';
import { OpenIdProvider } from '../../src/core/oauth/oidcClient';
import { FleetFacts } from '../../src/core/runbook/fleetFacts';
import { startRunbookLsp } from '../../test/integration/support/runbookLsp';
import { type Figure, summarize } from './stats';

const SERVER_MODULE = path.resolve('dist/runbookServer.js');

async function aliceCredential(server: FleetServer): Promise<Credential> {
  const idp = new OpenIdProvider(server.issuer, server.clientId);
  const tokens = await runDeviceFlow(
    idp,
    (code) => void approveDeviceCode({ issuer: server.issuer, userCode: code.userCode, email: 'alice@acme.test', password: 'alice-pass' }),
    AbortSignal.timeout(60_000),
  );
  return { kind: 'oauth', source: 'oauth', secret: tokens.accessToken, account: 'alice@acme.test' };
}

function factsFor(api: FleetApi, credential: Credential, activeFleetId: string): FleetFacts {
  return new FleetFacts({
    fleets: async () => ({ fleets: (await api.fleets(credential)).map(({ id, name, role }) => ({ id, name, role })), activeFleetId }),
    machines: (fleetId, query) => api.machines(credential, fleetId, query),
  });
}

/** A runbook of `blocks` shell blocks, cycling over real, offline, unknown and glob targets. */
export function bigRunbook(blocks: number): string {
  const targets = ['@web-1', '@db-1', '@batch-1', '@web-*', '@wbe-1', '@web-1 @db-1'];
  const lines = ['---', 'fleet: acme-prod', 'targets: web-1', '---', '# Big runbook'];
  for (let i = 0; i < blocks; i++) {
    if (i % 50 === 0) lines.push(`## Part ${i / 50 + 1}`);
    lines.push(`\`\`\`sh ${targets[i % targets.length]}`, `echo step ${i}`, 'uptime', '```', '');
  }
  return lines.join('\n');
}

async function timeDiagnostics(server: FleetServer, credential: Credential, blocks: number, runs: number) {
  const api = new FleetApi(server.apiUrl);
  const cold: number[] = [];
  const warm: number[] = [];
  let count = 0;
  const text = bigRunbook(blocks);
  let facts = factsFor(api, credential, 'acme-prod');
  const lsp = await startRunbookLsp(() => facts, { serverModule: SERVER_MODULE });
  try {
    for (let i = 0; i < runs; i++) {
      facts = factsFor(api, credential, 'acme-prod'); // a cold cache: every fact fetched again
      const uri = `file:///bench/big-${blocks}-${i}.runbook.md`;
      let t = performance.now();
      count = (await lsp.open(uri, text)).length;
      cold.push(performance.now() - t);
      t = performance.now();
      await lsp.change(uri, 2, text + '\n');
      warm.push(performance.now() - t - 150); // minus the server's typing debounce
    }
  } finally {
    await lsp.close();
  }
  return { cold: summarize(cold), warm: summarize(warm), count, samples: { cold, warm } };
}

export async function runbookFigures(server: FleetServer): Promise<Figure[]> {
  const credential = await aliceCredential(server);
  const api = new FleetApi(server.apiUrl);

  const small = await timeDiagnostics(server, credential, 10, 5);
  const big = await timeDiagnostics(server, credential, 1000, 5);
  const diagnostics: Figure = {
    name: 'runbook: diagnostics of a 1,000-block runbook (open → published)',
    value: big.cold.median,
    unit: 'ms',
    baseline: { label: '10-block runbook', value: small.cold.median },
    goal: { kind: 'max', value: 500, of: 'value', text: '≤ 500 ms' },
    note: `median of 5, cold fact cache (fetched from the REST API); ${big.count} diagnostics; after an edit (warm cache, debounce excluded) ${big.warm.median.toFixed(1)} ms`,
    detail: { big: big.samples, small: small.samples },
  };

  // Completion in the 10,000-machine fleet: `@node-0…` after each keystroke, one server-side search each.
  const facts = factsFor(api, credential, 'scale-10k');
  const lsp = await startRunbookLsp(() => facts, { serverModule: SERVER_MODULE });
  const prefixes = ['n', 'no', 'nod', 'node', 'node-', 'node-0', 'node-00', 'node-001', 'node-0012', 'node-00123'];
  const lsTimes: number[] = [];
  const restTimes: number[] = [];
  let items = 0;
  try {
    const uri = 'file:///bench/scale.runbook.md';
    let version = 1;
    await lsp.open(uri, '---\nfleet: scale-10k\n---\n');
    for (let round = 0; round < 3; round++) {
      for (const prefix of prefixes) {
        const line = `\`\`\`sh @${prefix}`;
        await lsp.change(uri, ++version, `---\nfleet: scale-10k\n---\n${line}\nuptime\n\`\`\`\n`);
        let t = performance.now();
        const result = await lsp.request<{ label: string }[]>('textDocument/completion', {
          textDocument: { uri },
          position: { line: 3, character: line.length },
        });
        lsTimes.push(performance.now() - t);
        items = Math.max(items, result.length);
        t = performance.now();
        await api.machines(credential, 'scale-10k', { page: 1, pageSize: 50, search: prefix });
        restTimes.push(performance.now() - t);
      }
    }
  } finally {
    await lsp.close();
  }
  // The first round warms the process; report rounds 2 and 3.
  const ls = summarize(lsTimes.slice(prefixes.length));
  const rest = summarize(restTimes.slice(prefixes.length));
  const completion: Figure = {
    name: 'runbook: completion of hostnames in the 10,000-machine fleet',
    value: ls.median,
    unit: 'ms',
    baseline: { label: 'the bare REST search', value: rest.median },
    goal: { kind: 'max', value: 100, of: 'value', text: '≤ 100 ms' },
    note: `median of ${ls.n} completions (@n … @node-00123), up to ${items} items; min ${ls.min.toFixed(1)}, max ${ls.max.toFixed(1)} ms`,
    detail: { samples: lsTimes, rest: restTimes },
  };
  return [diagnostics, completion];
}
