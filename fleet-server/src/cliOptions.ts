import { parseArgs } from 'node:util';
import type { FleetServerOptions } from './index';

const DEFAULT_PORT_BASE = 4400;

export const USAGE = `Usage: tsx fleet-server/src/main.ts [options]
  --seed <path>              seed file (default fleet-server/seed.json)
  --port-base <n>            issuer n, API n+1, relay n+2, staging relay n+3 (default ${DEFAULT_PORT_BASE})
  --access-token-ttl <sec>   access token lifetime (default 3600)
  --scale <n>                add fleet scale-10k with n listed machines (no agents)
  --scale-online <n>         the first n machines of scale-10k online (agents in shared agent-host processes)
  --admin-token <token>      token for /admin endpoints (default: random, printed)
  --tls                      generate a CA and serve the identity provider, API and relays over TLS
                             with certificates from it (the CA file's path is printed)
  --public-host <name>       the host name in the issuer and API URLs and the TLS certificate
                             (listeners still bind 127.0.0.1), e.g. for clients behind a proxy
  --upstream-only            relays serve only upstream CMDOP RPCs and fields (this project's
                             extensions answer UNIMPLEMENTED), to test clients against them
  --latency <ms>             relays delay every message and unary call by ms each way, as a relay
                             across the internet would (this project's addition; default 0)
  --hostile-names            add acme-prod machines named with command links, codicons, escapes, a bidi
                             override and 300 characters, to test clients (this project's addition)
  --help`;

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return Number(raw);
}

export function parseCli(argv: string[]): FleetServerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      'port-base': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      scale: { type: 'string' },
      'scale-online': { type: 'string' },
      'admin-token': { type: 'string' },
      'upstream-only': { type: 'boolean' },
      tls: { type: 'boolean' },
      'public-host': { type: 'string' },
      latency: { type: 'string' },
      'hostile-names': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const base = integer('port-base', values['port-base'], 1) ?? DEFAULT_PORT_BASE;
  if (base + 3 > 65535) throw new Error('--port-base leaves no room for four ports');
  return {
    seedPath: values.seed,
    ports: { issuer: base, api: base + 1, relay: base + 2, stagingRelay: base + 3 },
    accessTokenTtlSeconds: integer('access-token-ttl', values['access-token-ttl'], 1),
    scaleMachines: integer('scale', values.scale, 0),
    scaleOnline: integer('scale-online', values['scale-online'], 0),
    adminToken: values['admin-token'],
    upstreamOnly: values['upstream-only'] ?? false,
    tls: values.tls ?? false,
    publicHost: values['public-host'],
    latencyMs: integer('latency', values.latency, 0),
    hostileNames: values['hostile-names'] ?? false,
  };
}
