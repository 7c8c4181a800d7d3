// Fan-out of one command to 1,000 online machines, on loopback and through a relay 50 ms away: the extension's engine against the public SDK's
// execute() under Promise.all, each in its own child process (fanOutClient.ts), while this process (the fleet
// server's) samples how many sessions the server has running at once.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_SCRATCH, runJsonClient } from './childClient';
import { type FleetServer, SCALE_FLEET_ID } from '../../fleet-server/src/index';
import type { FanOutMeasure, FanOutTarget } from './fanOutClient';
import type { Figure } from './stats';
import { DEFAULT_FAN_OUT_CEILING } from '../../src/core/fanOut/concurrency';
import { cpuSince, serverCpu, type ServerCpu } from './serverCpu';

const CLIENT = join(__dirname, 'fanOutClient.ts');
const OUT_DIR = BENCH_SCRATCH;
export const FAN_OUT_MACHINES = 1000;
const COMMAND = 'hostname';

/** Worst event-loop stall of an idle process over the same time: the machine's own noise (2 shared cores). */
function startIdleControl(): { stop(): Promise<{ worstStallMs: number; p99StallMs: number }> } {
  const out = join(OUT_DIR, `fanout-idle-${process.pid}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, 'idle', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      try {
        return JSON.parse(readFileSync(out, 'utf8')) as { worstStallMs: number; p99StallMs: number };
      } catch {
        return { worstStallMs: NaN, p99StallMs: NaN };
      } finally {
        rmSync(out, { force: true });
      }
    },
  };
}

function runClient(which: 'extension' | 'sdk', target: FanOutTarget): Promise<FanOutMeasure> {
  const profile = process.env.CMDOP_BENCH_FANOUT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', OUT_DIR] : [];
  return runJsonClient<FanOutMeasure>(`fan-out client (${which})`, CLIENT, (out) => [which, JSON.stringify(target), out], [
    '--expose-gc',
    ...profile,
  ]);
}

/**
 * Samples the server's running sessions of the fleet while `body` runs; returns the peak. Sessions already running
 * before (the machines' shared shells an earlier SDK run started) are not counted.
 */
async function withServerPeak<T>(server: FleetServer, body: () => Promise<T>): Promise<{ result: T; peak: number; cpu: ServerCpu }> {
  const running = () => server.sessions(SCALE_FLEET_ID).filter((s) => s.state !== 'ended');
  const before = new Set(running().map((s) => s.id));
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, running().filter((s) => !before.has(s.id)).length);
  }, 20);
  const cpu0 = serverCpu();
  try {
    const result = await body();
    return { result, peak, cpu: cpuSince(cpu0) };
  } finally {
    clearInterval(timer);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * Restarts the machines, so their shared shells are gone: the SDK's execute() types into a machine's shared shell,
 * which this fleet server starts on first use; each SDK baseline pays for starting them, the same in every scenario.
 */
async function restartMachines(server: FleetServer, hostnames: string[]): Promise<void> {
  for (let i = 0; i < hostnames.length; i += 100) {
    await Promise.all(
      hostnames.slice(i, i + 100).map(async (h) => {
        await server.stopMachine(SCALE_FLEET_ID, h);
        await server.startMachine(SCALE_FLEET_ID, h);
      }),
    );
  }
}

/** The extension's engine and the SDK baseline, one after the other, at one relay latency. */
async function scenario(server: FleetServer, target: FanOutTarget, latencyMs: number, withSdk: boolean) {
  if (server.sessions(SCALE_FLEET_ID).some((s) => s.state !== 'ended')) await restartMachines(server, target.hostnames);
  server.setRelayLatency(latencyMs);
  try {
    const control = startIdleControl();
    // Let the control process finish starting (tsx compiling) before it counts.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ext = await withServerPeak(server, () => runClient('extension', target));
    const idle = await control.stop();
    let sdk: { result: FanOutMeasure; peak: number; cpu: ServerCpu } | undefined;
    let sdkError: string | undefined;
    if (withSdk) {
      try {
        sdk = await withServerPeak(server, () => runClient('sdk', target));
      } catch (err) {
        sdkError = (err as Error).message;
      }
    }
    return { ext, idle, sdk, sdkError };
  } finally {
    server.setRelayLatency(0);
  }
}

const perMachine = (ms: number) => ms / FAN_OUT_MACHINES;
const cpuPerMachine = (client: FanOutMeasure, server: ServerCpu) => perMachine(client.cpuMs + server.relayMs + server.machinesMs);
const cpuSplit = (client: FanOutMeasure, server: ServerCpu) =>
  `client ${perMachine(client.cpuMs).toFixed(2)} ms, relay ${perMachine(server.relayMs).toFixed(2)} ms, machines ${perMachine(server.machinesMs).toFixed(2)} ms`;

/** The relay latency of the second fan-out run: a relay across the internet. */
export const FAN_OUT_LATENCY_MS = 50;

export async function fanOutFigures(server: FleetServer, { withSdk = true } = {}): Promise<Figure[]> {
  const fleet = server.seed.fleets.find((f) => f.id === SCALE_FLEET_ID);
  const online = fleet?.machines.filter((m) => m.online).map((m) => m.hostname) ?? [];
  if (online.length < FAN_OUT_MACHINES)
    throw new Error(
      `the fan-out benchmark needs ${FAN_OUT_MACHINES} online machines (startFleetServer({ scaleOnline: ${FAN_OUT_MACHINES} }))`,
    );
  const target: FanOutTarget = {
    address: server.relays[SCALE_FLEET_ID],
    fleetId: SCALE_FLEET_ID,
    secret: fleet!.api_keys[0].secret,
    hostnames: online.slice(0, FAN_OUT_MACHINES),
    command: COMMAND,
    concurrency: DEFAULT_FAN_OUT_CEILING,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const figures: Figure[] = [];
  for (const [latencyMs, wallCapS] of [
    [0, 3],
    [FAN_OUT_LATENCY_MS, 5],
  ] as const) {
    const { ext, idle, sdk, sdkError } = await scenario(server, target, latencyMs, withSdk);
    const e = ext.result;
    const s = sdk?.result;
    const baseline = (value: number | undefined) =>
      value === undefined ? undefined : { label: '@cmdop/node execute + Promise.all', value };
    const checked = (m: FanOutMeasure) =>
      `${m.ok}/${FAN_OUT_MACHINES} exit 0${m.wrongOutput ? `, ${m.wrongOutput} with unexpected output` : ''}${m.failed.length ? ` (e.g. ${m.failed[0]})` : ''}`;
    const sdkNote = s
      ? `; SDK: ${checked(s)}, client peak ${s.peakInFlight} in flight, server peak ${sdk!.peak}`
      : sdkError
        ? `; SDK baseline failed: ${sdkError}`
        : '';
    const where = latencyMs ? `, relay --latency ${latencyMs}` : ', loopback';
    const name = `fan-out \`${COMMAND}\` to ${FAN_OUT_MACHINES} online machines${where}`;
    figures.push(
      {
        name: `${name}: wall time`,
        value: e.wallMs / 1000,
        unit: 's',
        baseline: baseline(s && s.wallMs / 1000),
        goal: { kind: 'max', value: 0.5, of: 'ratio', valueAtMost: wallCapS, text: `≤ 0.5× SDK and ≤ ${wallCapS} s` },
        note: `extension: adaptive concurrency (ceiling ${target.concurrency}, client peak ${e.peakInFlight}), one relay channel, ${checked(e)}${sdkNote}`,
        detail: { latencyMs, extension: e, sdk: s, sdkError, serverPeak: { extension: ext.peak, sdk: sdk?.peak } },
      },
      {
        name: `${name}: per-machine p50`,
        value: percentile(e.perMachineMs, 50),
        unit: 'ms',
        baseline: baseline(s && percentile(s.perMachineMs, 50)),
      },
      {
        name: `${name}: per-machine p99`,
        value: percentile(e.perMachineMs, 99),
        unit: 'ms',
        baseline: baseline(s && percentile(s.perMachineMs, 99)),
      },
      {
        name: `${name}: peak concurrent sessions (server)`,
        value: ext.peak,
        unit: 'sessions',
        baseline: baseline(sdk?.peak),
        goal: { kind: 'max', value: target.concurrency, of: 'value', text: `≤ ${target.concurrency} (the ceiling)` },
      },
      {
        name: `${name}: worst event-loop stall (client)`,
        value: e.worstStallMs,
        unit: 'ms',
        baseline: baseline(s?.worstStallMs),
        goal: { kind: 'max', value: 50, of: 'value', text: '≤ 50 ms' },
        note: `p99 of the loop delay ${e.p99StallMs.toFixed(0)} ms${s ? ` (SDK ${s.p99StallMs.toFixed(0)} ms)` : ''}; an idle process on this machine stalled up to ${idle.worstStallMs.toFixed(0)} ms (p99 ${idle.p99StallMs.toFixed(0)} ms) over the same time: the machine's load, not our code`,
      },
      {
        name: `${name}: memory added (client RSS peak)`,
        value: e.rssAddedMb,
        unit: 'MB',
        baseline: baseline(s?.rssAddedMb),
        goal: { kind: 'max', value: 100, of: 'value', text: '≤ 100 MB' },
        note: `heap peak added: extension ${e.heapAddedMb.toFixed(1)} MB${s ? `, SDK ${s.heapAddedMb.toFixed(1)} MB` : ''}`,
      },
      {
        name: `${name}: CPU per machine (client + relay + machines)`,
        value: cpuPerMachine(e, ext.cpu),
        unit: 'ms',
        baseline: baseline(s && cpuPerMachine(s, sdk!.cpu)),
        note: `where it goes, per machine: extension ${cpuSplit(e, ext.cpu)}${s ? `; SDK ${cpuSplit(s, sdk!.cpu)}` : ''} (machines: the agent hosts with the shells they ran; 2 shared cores bound the wall time)`,
      },
    );
  }
  return figures;
}
