// One run of every benchmark against one local fleet server; prints a table and writes
// test-results/bench.json. `bash scripts/bench.sh` builds the package first. `--profile`: also take CPU
// profiles of both exec paths (otherwise only when an exec goal is missed).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleetServer } from '../../fleet-server/src/index';
import { execFigures } from './execFigures';
import { FAN_OUT_MACHINES, fanOutFigures } from './fanOutFigures';
import { filesFigures } from './filesFigures';
import { runbookFigures } from './runbookFigures';
import { pagingFigures } from './pagingFigures';
import { proxyFigures } from './proxyFigures';
import { sdkLatencyFigures } from './sdkLatencyFigures';
import { RequestLog } from './httpRequests';
import { sizeFigures } from './sizes';
import { met, printTable, ratioOf } from './stats';
import { workbenchFigures } from './workbenchFigures';

const OUT = 'test-results/bench.json';

/** Newest modification time under a folder, to warn when dist/ is older than the sources. */
function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const allHints = process.argv.includes('--profile');
  // `--only fan-out`: just the fan-out rows (no code-server), e.g. while working on the engine.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (newestMtime('src') > statSync('dist/cmdop.vsix').mtimeMs) {
    console.warn('bench: WARNING dist/cmdop.vsix is older than src/; run `npm run package` (or `bash scripts/bench.sh`)');
  }
  // `--only sdk-latency`: just the run-command vs SDK execute() rows (their own small fleet servers).
  if (only === 'sdk-latency') {
    printTable(await sdkLatencyFigures(), { allHints });
    return;
  }
  // `--only files`: machine files (reader vs bare grpc-js, a 10,000-entry folder, a 1 MiB save; own stand-in relay).
  if (only === 'files') {
    printTable(await filesFigures(), { allHints });
    return;
  }
  // `--only proxy`: REST through a forward proxy vs directly (its own small TLS fleet server).
  if (only === 'proxy') {
    printTable(await proxyFigures(), { allHints });
    return;
  }
  const sizes = only ? [] : sizeFigures();
  const requests = new RequestLog();
  const server = await startFleetServer({ scaleMachines: 10_000, scaleOnline: FAN_OUT_MACHINES });
  try {
    if (only === 'fan-out') {
      console.log(`bench: fan-out to ${FAN_OUT_MACHINES} online machines (extension engine vs @cmdop/node)…`);
      const figures = await fanOutFigures(server);
      printTable(figures, { allHints });
      mkdirSync('test-results', { recursive: true });
      writeFileSync(
        'test-results/bench-fanout.json',
        JSON.stringify({ at: new Date().toISOString(), figures: figures.map((f) => ({ ...f, ratio: ratioOf(f), met: met(f) })) }, null, 2),
      );
      return;
    }
    // `--only paging`: the Machines view's paging rows (core + REST, no code-server).
    if (only === 'paging') {
      printTable(await pagingFigures(server), { allHints });
      return;
    }
    // `--only runbooks`: the runbook language server rows over LSP (no code-server).
    if (only === 'runbooks') {
      printTable(await runbookFigures(server), { allHints });
      return;
    }
    const fleet = server.seed.fleets.find((f) => f.id === 'acme-prod')!;
    const secret = fleet.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
    console.log('bench: exec latency and throughput (extension path vs bare grpc-js)…');
    const exec = await execFigures(
      { address: server.relays['acme-prod'], fleetId: 'acme-prod', secret, hostname: 'web-1' },
      { alwaysProfile: allHints },
    );
    console.log('bench: run command first byte, extension vs @cmdop/node execute(), both relay modes…');
    const sdkLatency = await sdkLatencyFigures();
    console.log('bench: REST through http.proxy (CONNECT tunnel) vs directly…');
    const proxied = await proxyFigures();
    console.log('bench: code-server: sign-in, activation over window reloads, 10k-machine tree…');
    const [activation, ...rest] = await workbenchFigures(server, requests);
    console.log(`bench: fan-out to ${FAN_OUT_MACHINES} online machines (extension engine vs @cmdop/node)…`);
    const fanOut = await fanOutFigures(server);
    console.log('bench: machine paging: 100,000-machine first page and filter, 10,000 loaded to the end…');
    const paging = await pagingFigures(server);
    console.log('bench: runbook language server: 1,000-block diagnostics, completion in the 10,000-machine fleet…');
    const runbooks = await runbookFigures(server);
    console.log('bench: machine files: 50 MiB read vs bare grpc-js, 10,000-entry folder, 1 MiB save…');
    const machineFiles = await filesFigures();
    const figures = [
      activation,
      ...sizes,
      ...rest.slice(0, 2),
      ...exec,
      ...sdkLatency,
      ...proxied,
      ...rest.slice(2),
      ...paging,
      ...fanOut,
      ...runbooks,
      ...machineFiles,
    ];
    const wallS = (Date.now() - started) / 1000;

    console.log('');
    printTable(figures, { allHints });
    const missed = figures.filter((f) => met(f) === false);
    console.log(
      `\n${missed.length ? `MISSED: ${missed.map((f) => f.name).join('; ')}` : 'all goals met'}; benchmark wall time ${wallS.toFixed(0)} s`,
    );

    mkdirSync('test-results', { recursive: true });
    const json = figures.map((f) => ({ ...f, ratio: ratioOf(f), met: met(f) }));
    writeFileSync(OUT, JSON.stringify({ at: new Date().toISOString(), wallSeconds: wallS, node: process.version, figures: json }, null, 2));
    console.log(`written to ${OUT}`);
  } finally {
    requests.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
