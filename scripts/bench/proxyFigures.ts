// REST through a forward proxy (http.proxy): the extension's fetch over a CONNECT tunnel vs directly, both over
// TLS with the fleet CA, against `fleet-server --tls` known by a name only the proxy resolves (so the direct
// calls use its 127.0.0.1 address). Steady state (connections kept open) and a new connection each time.
import { startFleetServer } from '../../fleet-server/src/index';
import { startRecordingProxy } from '../../fleet-server/src/testing/forwardProxy';
import { FleetApi } from '../../src/core/fleet/fleetApi';
import { DEFAULT_PROXY_SETTINGS } from '../../src/core/network/proxy';
import { tlsFetch } from '../../src/core/network/tls';
import { type Figure, summarize, timed } from './stats';

const RUNS = 60;
const FRESH_RUNS = 20;

export async function proxyFigures(): Promise<Figure[]> {
  const [server, proxy] = await Promise.all([startFleetServer({ tls: true, publicHost: 'fleet.cmdop.test' }), startRecordingProxy()]);
  try {
    const ca = server.tls!.caPem;
    const secret = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
    const credential = { kind: 'apiKey' as const, source: 'setting' as const, secret, fleetId: 'acme-prod' };
    const directUrl = server.apiUrl.replace('fleet.cmdop.test', '127.0.0.1');
    const viaProxy = () =>
      new FleetApi(
        server.apiUrl,
        tlsFetch({ ca, caSetting: 'cmdop.endpoints.dev.caFile', proxy: () => ({ ...DEFAULT_PROXY_SETTINGS, proxy: proxy.url }), env: {} }),
      );
    const direct = () => new FleetApi(directUrl, tlsFetch({ ca, caSetting: 'cmdop.endpoints.dev.caFile', env: {} }));

    const kept = { proxy: viaProxy(), direct: direct() };
    const steady = { proxy: [] as number[], direct: [] as number[] };
    for (let i = 0; i < RUNS + 3; i++) {
      const p = await timed(() => kept.proxy.whoami(credential));
      const d = await timed(() => kept.direct.whoami(credential));
      if (i >= 3) {
        steady.proxy.push(p);
        steady.direct.push(d);
      }
    }
    const fresh = { proxy: [] as number[], direct: [] as number[] };
    for (let i = 0; i < FRESH_RUNS; i++) {
      fresh.proxy.push(await timed(() => viaProxy().whoami(credential)));
      fresh.direct.push(await timed(() => direct().whoami(credential)));
    }
    const tunnels = proxy.seen.length;
    const [sp, sd, fp, fd] = [summarize(steady.proxy), summarize(steady.direct), summarize(fresh.proxy), summarize(fresh.direct)];
    return [
      {
        name: 'REST call through http.proxy (CONNECT tunnel kept open) vs directly, TLS with the fleet CA',
        value: sp.median,
        unit: 'ms',
        baseline: { label: 'direct, connection kept open', value: sd.median },
        goal: { kind: 'max', value: 1.5, of: 'ratio', text: '≤ 1.5× direct' },
        note: `GET /api/whoami, medians of ${RUNS} alternating calls after 3 warm-ups; proxy min/max ${sp.min.toFixed(2)}/${sp.max.toFixed(2)} ms, direct ${sd.min.toFixed(2)}/${sd.max.toFixed(2)} ms; ${tunnels} CONNECTs in all (one per new connection)`,
        detail: { steady },
      },
      {
        name: 'REST call on a new connection through http.proxy (CONNECT + TLS handshake) vs a new direct one',
        value: fp.median,
        unit: 'ms',
        baseline: { label: 'direct, new TLS connection', value: fd.median },
        goal: { kind: 'max', value: 2, of: 'ratio', text: '≤ 2× direct' },
        note: `a new fetch (empty pool) per call, medians of ${FRESH_RUNS} alternating calls; proxy min/max ${fp.min.toFixed(2)}/${fp.max.toFixed(2)} ms, direct ${fd.min.toFixed(2)}/${fd.max.toFixed(2)} ms`,
        detail: { fresh },
      },
    ];
  } finally {
    await Promise.all([server.close(), proxy.close()]);
  }
}
