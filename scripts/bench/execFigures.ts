// Exec latency, throughput and event-loop stalls: the extension's relay path vs a bare grpc-js client,
// measured in a child process (execClient.ts) against the fleet server running in this one.
import { join } from 'node:path';
import { BENCH_SCRATCH, runJsonClient } from './childClient';
import { compareProfiles, topSelf } from './cpuProfile';
import {
  LATENCY_COMMAND,
  LATENCY_RUNS,
  THROUGHPUT_COMMAND,
  THROUGHPUT_RUNS,
  WARMUP_RUNS,
  type MeasureResult,
  type StreamRun,
} from './execClient';
import type { Target } from './relayPaths';
import { type Figure, met, summarize } from './stats';

export const PROFILE_DIR = BENCH_SCRATCH;
const CLIENT = join(__dirname, 'execClient.ts');

function runClient<T>(args: string[]): Promise<T> {
  return runJsonClient<T>(`exec client ${args[0]}`, CLIENT, (out) => [args[0], args[1], out, ...args.slice(2)]);
}

/** CPU profiles of both paths doing `workload`; returns a one-line comparison. */
async function profileHint(target: Target, workload: 'latency' | 'throughput'): Promise<string> {
  const files = {
    extension: join(PROFILE_DIR, `extension-${workload}.cpuprofile`),
    bare: join(PROFILE_DIR, `bare-${workload}.cpuprofile`),
  };
  for (const which of ['extension', 'bare'] as const) {
    await runClient(['profile', JSON.stringify(target), which, workload, files[which]]);
  }
  return `${compareProfiles(files.extension, files.bare)} (profiles in ${PROFILE_DIR}/)`;
}

const best = (runs: StreamRun[]) => runs.reduce((a, b) => (b.mbPerSec > a.mbPerSec ? b : a));

export async function execFigures(target: Target, { alwaysProfile = false } = {}): Promise<Figure[]> {
  const r = await runClient<MeasureResult>(['measure', JSON.stringify(target)]);
  const ext = summarize(r.latency.extension);
  const bare = summarize(r.latency.bare);
  const extBest = best(r.throughput.extension);
  const bareBest = best(r.throughput.bare);
  const extStall = Math.max(...r.throughput.extension.map((x) => x.stallMs));
  const bareStall = Math.max(...r.throughput.bare.map((x) => x.stallMs));
  const mb = (n: number) => (n / 1e6).toFixed(1);

  const latency: Figure = {
    name: `exec latency: request → first byte (${LATENCY_COMMAND})`,
    value: ext.median,
    unit: 'ms',
    baseline: { label: 'bare grpc-js', value: bare.median },
    goal: { kind: 'max', value: 1.2, of: 'ratio', text: '≤ 1.2× bare' },
    note: `medians of ${LATENCY_RUNS} interleaved runs each after ${WARMUP_RUNS} warm-ups, client in its own process; extension min/max ${ext.min.toFixed(1)}/${ext.max.toFixed(1)} ms, bare ${bare.min.toFixed(1)}/${bare.max.toFixed(1)} ms`,
    detail: { samples: r.latency },
  };
  const throughput: Figure = {
    name: `throughput: ${THROUGHPUT_COMMAND}`,
    value: extBest.mbPerSec,
    unit: 'MB/s',
    baseline: { label: 'bare grpc-js', value: bareBest.mbPerSec },
    goal: { kind: 'min', value: 0.8, of: 'ratio', text: '≥ 0.8× bare' },
    note: `best of ${THROUGHPUT_RUNS} interleaved runs each after a 10M warm-up (runs: extension ${r.throughput.extension.map((x) => x.mbPerSec.toFixed(1)).join(', ')}; bare ${r.throughput.bare.map((x) => x.mbPerSec.toFixed(1)).join(', ')} MB/s); ${mb(extBest.bytes)} MB in ${extBest.chunks} chunks, largest ${(extBest.largestChunk / 1024).toFixed(0)} KiB`,
    detail: { runs: r.throughput },
  };
  const stall: Figure = {
    name: 'worst event-loop stall while streaming',
    value: extStall,
    unit: 'ms',
    baseline: { label: 'bare grpc-js', value: bareStall },
    goal: { kind: 'max', value: 50, of: 'value', text: '≤ 50 ms' },
    note: `worst over the ${THROUGHPUT_RUNS} extension runs (${r.throughput.extension.map((x) => x.stallMs.toFixed(1)).join(', ')} ms; monitorEventLoopDelay at 1 ms, gap minus 1 ms); longest GC pause ${Math.max(...r.throughput.extension.map((x) => x.longestGcMs)).toFixed(1)} ms, slowest chunk decode ${Math.max(...r.throughput.extension.map((x) => x.slowestHandlerMs)).toFixed(1)} ms`,
  };

  if (alwaysProfile || met(latency) === false) latency.hint = await profileHint(target, 'latency');
  if (alwaysProfile || met(throughput) === false || met(stall) === false) {
    const hint = await profileHint(target, 'throughput');
    throughput.hint = hint;
    stall.hint = `${hint}; top self time in the extension run: ${topSelf(join(PROFILE_DIR, 'extension-throughput.cpuprofile'))}`;
  }
  return [latency, throughput, stall];
}
