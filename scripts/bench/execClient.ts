// The client side of the exec benchmarks, run as its own process (as the extension host is its own process),
// so the relay and agents of the fleet server never share an event loop with the code being measured.
//   node --import tsx scripts/bench/execClient.ts measure <target json> <out.json>
//   node --import tsx scripts/bench/execClient.ts profile <target json> <out.json> <extension|bare> <latency|throughput> <file.cpuprofile>
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { bareGrpcPath, extensionPath, type ExecPath, type RunResult, type Target } from './relayPaths';

export const LATENCY_COMMAND = 'echo x';
export const THROUGHPUT_COMMAND = 'head -c 50M /dev/zero | base64';
/** Streams through both paths once before the measured runs: the first big stream of a process is slow. */
const THROUGHPUT_WARMUP_COMMAND = 'head -c 10M /dev/zero | base64';
export const LATENCY_RUNS = 25;
export const THROUGHPUT_RUNS = 2;
export const WARMUP_RUNS = 3;
/** Event-loop delay sampling period; a reported gap overstates a stall by at most this much. */
const ELD_RESOLUTION_MS = 1;

export interface StreamRun extends RunResult {
  mbPerSec: number;
  /** Longest event-loop stall while this run streamed (longest timer gap minus the sampling period). */
  stallMs: number;
  /** Longest garbage-collection pause while this run streamed. */
  longestGcMs: number;
}

export interface MeasureResult {
  latency: { extension: number[]; bare: number[] };
  throughput: { extension: StreamRun[]; bare: StreamRun[] };
}

async function streamRun(path: ExecPath): Promise<StreamRun> {
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let longestGcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longestGcMs = Math.max(longestGcMs, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  eld.enable();
  const r = await path.run(THROUGHPUT_COMMAND);
  eld.disable();
  gc.disconnect();
  return { ...r, mbPerSec: r.bytes / 1e6 / (r.totalMs / 1000), stallMs: Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS), longestGcMs };
}

async function measure(target: Target): Promise<MeasureResult> {
  const paths = [extensionPath(target), bareGrpcPath(target)];
  try {
    // Warm both channels (connection, proto, JIT) and the agent before measuring.
    for (let i = 0; i < WARMUP_RUNS; i++) for (const p of paths) await p.run(LATENCY_COMMAND);
    const latency = { extension: [] as number[], bare: [] as number[] };
    // Interleaved, and the order flips every round, so drift on the machine hits both alike.
    for (let i = 0; i < LATENCY_RUNS; i++) {
      for (const p of i % 2 ? [...paths].reverse() : paths) {
        const r = await p.run(LATENCY_COMMAND);
        (p === paths[0] ? latency.extension : latency.bare).push(r.firstByteMs);
      }
    }
    for (const p of paths) await p.run(THROUGHPUT_WARMUP_COMMAND);
    const throughput = { extension: [] as StreamRun[], bare: [] as StreamRun[] };
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      for (const p of i % 2 ? [...paths].reverse() : paths) {
        (p === paths[0] ? throughput.extension : throughput.bare).push(await streamRun(p));
      }
    }
    return { latency, throughput };
  } finally {
    for (const p of paths) p.close();
  }
}

/** A CPU profile of one path doing one workload, taken with the inspector around the workload only. */
async function profile(target: Target, which: string, workload: string, file: string): Promise<{ runs: number }> {
  const path = which === 'extension' ? extensionPath(target) : bareGrpcPath(target);
  const inspector = new Session();
  inspector.connect();
  try {
    for (let i = 0; i < WARMUP_RUNS; i++) await path.run(LATENCY_COMMAND);
    if (workload === 'throughput') await path.run(THROUGHPUT_WARMUP_COMMAND);
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
    const runs = workload === 'latency' ? LATENCY_RUNS : 1;
    for (let i = 0; i < runs; i++) await path.run(workload === 'latency' ? LATENCY_COMMAND : THROUGHPUT_COMMAND);
    const { profile: cpuProfile } = await inspector.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(cpuProfile));
    return { runs };
  } finally {
    inspector.disconnect();
    path.close();
  }
}

async function main(): Promise<void> {
  const [mode, targetJson, out, which, workload, file] = process.argv.slice(2);
  const target = JSON.parse(targetJson) as Target;
  const result = mode === 'measure' ? await measure(target) : await profile(target, which, workload, file);
  writeFileSync(out, JSON.stringify(result));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
