import { timingSafeEqual } from 'node:crypto';
import type { ApiContext } from './apiContext';
import type { ApiRequest, Route } from './fleetRoutes';
import { HttpError } from './httpJson';

/** Test and dev-launcher controls: loopback callers holding the admin token only. */
export const ADMIN_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/admin\/machines\/([^/]+)\/([^/]+)\/(stop|start)\/?$/, handler: flipMachine },
  { method: 'POST', pattern: /^\/admin\/relay\/outage\/?$/, handler: relayOutage },
  { method: 'POST', pattern: /^\/admin\/relay\/restart\/?$/, handler: relayRestart },
  { method: 'POST', pattern: /^\/admin\/fleets\/([^/]+)\/keys\/([^/]+)\/revoke\/?$/, handler: revokeKey },
  { method: 'POST', pattern: /^\/admin\/accounts\/([^/]+)\/revoke\/?$/, handler: revokeAccount },
  { method: 'POST', pattern: /^\/admin\/accounts\/([^/]+)\/expire-tokens\/?$/, handler: expireTokens },
  { method: 'GET', pattern: /^\/admin\/stats\/refreshes\/?$/, handler: refreshStats },
];

/** Upper bound for an injected outage: long enough for any test, short enough that a typo does not take the relay away for good. */
const MAX_OUTAGE_SECONDS = 3600;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function requireAdmin(ctx: ApiContext, request: ApiRequest): void {
  if (!LOOPBACK.test(request.req.socket.remoteAddress ?? '')) throw new HttpError(403, 'admin endpoints are loopback-only');
  const header = request.req.headers['x-admin-token'] ?? request.req.headers.authorization?.replace(/^Bearer\s+/i, '');
  const given = Buffer.from(typeof header === 'string' ? header : '');
  const expected = Buffer.from(ctx.adminToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'admin token required: send "x-admin-token: <token>" (printed by the fleet server at start)');
  }
}

async function flipMachine(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  requireAdmin(ctx, request);
  const [fleetId, hostname, action] = request.params.map(decodeURIComponent);
  const fleet = ctx.directory.fleet(fleetId);
  if (!fleet) throw new HttpError(404, `unknown fleet "${fleetId}"`);
  const machine = fleet.machines.find((m) => m.hostname === hostname);
  if (!machine) throw new HttpError(404, `no machine with hostname "${hostname}" in fleet ${fleetId}`);
  if (action === 'stop') await ctx.stopMachine(fleetId, hostname);
  else await ctx.startMachine(fleetId, hostname);
  return { fleet: fleetId, hostname, is_online: machine.isOnline };
}

async function relayOutage(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  requireAdmin(ctx, request);
  const raw = request.url.searchParams.get('seconds') ?? '';
  const seconds = Number(raw);
  if (!raw || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_OUTAGE_SECONDS) {
    throw new HttpError(400, `seconds must be a number from 0 to ${MAX_OUTAGE_SECONDS}, e.g. /admin/relay/outage?seconds=5`);
  }
  const dropped = ctx.faults.relayOutage(seconds);
  return { dropped_streams: dropped, refusing_until: new Date(Date.now() + seconds * 1000).toISOString() };
}

async function relayRestart(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  requireAdmin(ctx, request);
  const { sessionsDropped } = await ctx.faults.restartRelays();
  return { restarted: true, dropped_sessions: sessionsDropped };
}

async function revokeKey(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  requireAdmin(ctx, request);
  const [fleetId, name] = request.params.map(decodeURIComponent);
  const result = ctx.faults.revokeKey(fleetId, name);
  if (!result) throw new HttpError(404, `no key named "${name}" in fleet ${fleetId}`);
  return { fleet: fleetId, key: name, revoked: true, ended_streams: result.streamsEnded };
}

/** The admin-checked account named in the path. */
function accountOf(ctx: ApiContext, request: ApiRequest): string {
  requireAdmin(ctx, request);
  const [email] = request.params.map(decodeURIComponent);
  if (!ctx.directory.user(email)) throw new HttpError(404, `no account "${email}"`);
  return email;
}

async function revokeAccount(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const email = accountOf(ctx, request);
  const { tokensRevoked, streamsEnded } = ctx.faults.revokeAccount(email);
  return { account: email, revoked_tokens: tokensRevoked, ended_streams: streamsEnded };
}

async function expireTokens(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const email = accountOf(ctx, request);
  const { tokensExpired, streamsEnded } = ctx.faults.expireAccessTokens(email);
  return { account: email, expired_tokens: tokensExpired, ended_streams: streamsEnded };
}

async function refreshStats(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  requireAdmin(ctx, request);
  return ctx.faults.refreshStats();
}
