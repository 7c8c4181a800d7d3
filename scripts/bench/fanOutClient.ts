// Child process of the fan-out benchmark (fanOutFigures.ts): runs one fan-out of `hostname` to every target
// machine, either through the extension's path (FanOut engine + RelaySessionRunner on one RelayClient, as the
// Runs view does) or the public SDK's way (@cmdop/node: terminal.execute() per machine under Promise.all), and
// writes what it measured to a JSON file. Its own process, so event-loop stalls and memory are its alone.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Credential } from '../../src/core/credentials/credential';
import { FanOut } from '../../src/core/fanOut/fanOut';
import { RelaySessionRunner } from '../../src/core/fanOut/relayRunner';
import { RelayClient } from '../../src/core/relay/relayClient';

export interface FanOutTarget {
  address: string;
  fleetId: string;
  secret: string;
  hostnames: string[];
  command: string;
  concurrency: number;
  /** Where the adaptive concurrency starts (the engine's default when unset). */
  initialConcurrency?: number;
}

export interface FanOutMeasure {
  wallMs: number;
  perMachineMs: number[];
  ok: number;
  wrongOutput: number;
  failed: string[];
  /** Sessions open at once, as the client saw them. */
  peakInFlight: number;
  worstStallMs: number;
  p99StallMs: number;
  rssAddedMb: number;
  heapAddedMb: number;
  /** CPU time (user + system) the client process spent during the run. */
  cpuMs: number;
}

async function measure(
  body: (track: (ms: number, ok: boolean, wrong: boolean, failure?: string) => void) => Promise<number>,
): Promise<FanOutMeasure> {
  const perMachineMs: number[] = [];
  const failed: string[] = [];
  let ok = 0;
  let wrongOutput = 0;
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let rssPeak = rss0;
  let heapPeak = heap0;
  // rss() alone is cheap; the full memoryUsage() walks the heap spaces.
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 100);
  const heapSampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 1000);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const peakInFlight = await body((ms, good, wrong, failure) => {
    perMachineMs.push(ms);
    if (good) ok++;
    if (wrong) wrongOutput++;
    if (failure) failed.push(failure);
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  clearInterval(sampler);
  clearInterval(heapSampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  return {
    wallMs,
    perMachineMs,
    ok,
    wrongOutput,
    failed: failed.slice(0, 10),
    peakInFlight,
    worstStallMs: loop.max / 1e6,
    p99StallMs: loop.percentile(99) / 1e6,
    rssAddedMb: (rssPeak - rss0) / 1e6,
    heapAddedMb: (heapPeak - heap0) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function extensionFanOut(t: FanOutTarget): Promise<FanOutMeasure> {
  const credential: Credential = { kind: 'apiKey', source: 'explicit', secret: t.secret, fleetId: t.fleetId };
  const client = new RelayClient({ address: t.address, fleetId: t.fleetId, fleetName: t.fleetId, credential });
  await client.health(); // channel up and gRPC loaded before the clock starts, as after the tree's first call
  try {
    return await measure(async (track) => {
      const fanOut = new FanOut({
        command: t.command,
        targets: t.hostnames,
        runner: new RelaySessionRunner(client),
        concurrency: t.concurrency,
        initialConcurrency: t.initialConcurrency,
        timeoutMs: 120_000,
      });
      fanOut.onResult((r) =>
        // The machines share this host, so `hostname` prints its name for every one: any non-empty line is right.
        track(
          r.durationMs,
          r.outcome === 'ok',
          r.output.trim() === '',
          r.outcome === 'ok' ? undefined : `${r.hostname}: ${r.outcome} ${r.detail ?? ''}`,
        ),
      );
      await fanOut.done;
      return fanOut.peakConcurrency;
    });
  } finally {
    client.close();
  }
}

async function sdkFanOut(t: FanOutTarget): Promise<FanOutMeasure> {
  const { CMDOPClient } = await import('@cmdop/node');
  const sdk = CMDOPClient.remote(t.secret, { server: t.address, insecure: true });
  try {
    // The machines' session ids, as a script would look them up before fanning out.
    const listed = await sdk.terminal.list({ limit: 1000 });
    const sessionOf = new Map(listed.sessions.map((s) => [s.hostname, s.sessionId]));
    return await measure(async (track) => {
      let inFlight = 0;
      let peak = 0;
      await Promise.all(
        t.hostnames.map(async (hostname) => {
          const began = performance.now();
          inFlight++;
          peak = Math.max(peak, inFlight);
          try {
            const r = await sdk.terminal.execute(t.command, { sessionId: sessionOf.get(hostname), timeoutMs: 120_000 });
            track(
              performance.now() - began,
              r.exitCode === 0,
              r.output.trim() === '',
              r.exitCode === 0 ? undefined : `${hostname}: exit ${r.exitCode}`,
            );
          } catch (err) {
            track(performance.now() - began, false, true, `${hostname}: ${(err as Error).message}`);
          } finally {
            inFlight--;
          }
        }),
      );
      return peak;
    });
  } finally {
    await sdk.close().catch(() => undefined);
  }
}

/** A process doing nothing but watch its own event loop: how much of a stall is the machine's load, not our code. */
function idle(out: string): void {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('SIGTERM', () => {
    writeFileSync(out, JSON.stringify({ worstStallMs: loop.max / 1e6, p99StallMs: loop.percentile(99) / 1e6 }));
    process.exit(0);
  });
  setInterval(() => undefined, 1000);
}

async function main(): Promise<void> {
  const [which, targetJson, out] = process.argv.slice(2);
  if (which === 'idle') return idle(targetJson);
  const target = JSON.parse(targetJson) as FanOutTarget;
  const result = which === 'sdk' ? await sdkFanOut(target) : await extensionFanOut(target);
  writeFileSync(out, JSON.stringify(result));
}

main().then(
  () => process.argv[2] !== 'idle' && process.exit(0),
  (err: Error) => {
    console.error(`fan-out client: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
