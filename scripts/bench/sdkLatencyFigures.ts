// First-byte latency of a command: the extension's run-command path vs the public SDK's execute(), on the
// same machine, against a fleet server with this project's extensions and one with --upstream-only.
import { join } from 'node:path';
import { runJsonClient } from './childClient';
import { startFleetServer } from '../../fleet-server/src/index';
import { SDK_LATENCY_COMMAND, SDK_LATENCY_RUNS, type SdkLatencyResult, type SdkLatencyTarget } from './sdkLatencyClient';
import { type Figure, summarize } from './stats';

const CLIENT = join(__dirname, 'sdkLatencyClient.ts');

function runClient(target: SdkLatencyTarget): Promise<SdkLatencyResult> {
  return runJsonClient<SdkLatencyResult>('SDK latency client', CLIENT, (out) => [JSON.stringify(target), out]);
}

/** The relay latency of the third run: a relay across the internet (each round trip costs twice this). */
const FIRST_BYTE_LATENCY_MS = 50;

export async function sdkLatencyFigures(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [upstreamOnly, latencyMs] of [
    [false, 0],
    [true, 0],
    [false, FIRST_BYTE_LATENCY_MS],
  ] as const) {
    const server = await startFleetServer({ upstreamOnly, latencyMs });
    try {
      const fleet = server.seed.fleets.find((f) => f.id === 'acme-prod')!;
      const secret = fleet.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
      const r = await runClient({ address: server.relays['acme-prod'], fleetId: 'acme-prod', secret, hostname: 'web-1' });
      const ext = summarize(r.extension);
      const sdk = summarize(r.sdk);
      const roundTrip = 2 * latencyMs;
      figures.push({
        name: `run command → first byte, extension vs SDK execute() (${upstreamOnly ? '--upstream-only relay: markers over attach' : 'relay with extensions: command session'}${latencyMs ? `, --latency ${latencyMs}` : ''})`,
        value: ext.median,
        unit: 'ms',
        baseline: { label: '@cmdop/node execute()', value: sdk.median },
        goal: latencyMs
          ? { kind: 'max', value: 3 * roundTrip, of: 'value', text: `≤ 3 round trips (${3 * roundTrip} ms)` }
          : { kind: 'max', value: 1, of: 'ratio', text: '≤ 1× SDK' },
        note: `\`${SDK_LATENCY_COMMAND}\` on web-1, medians of ${SDK_LATENCY_RUNS} alternating runs after 2 warm-ups, client in its own process; extension min/max ${ext.min.toFixed(1)}/${ext.max.toFixed(1)} ms, SDK (polls every 200 ms, shared agent session) ${sdk.min.toFixed(1)}/${sdk.max.toFixed(1)} ms`,
        hint: latencyMs ? `${(ext.median / roundTrip).toFixed(2)} round trips of ${roundTrip} ms` : undefined,
        detail: { samples: r, latencyMs },
      });
    } finally {
      await server.close();
    }
  }
  return figures;
}
