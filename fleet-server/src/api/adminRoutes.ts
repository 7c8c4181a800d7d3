import { timingSafeEqual } from 'node:crypto';
import type { ApiContext } from './apiContext';
import type { ApiRequest, Route } from './fleetRoutes';
import { HttpError } from './httpJson';

/** Test and dev-launcher controls: loopback callers holding the admin token only. */
export const ADMIN_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/admin\/machines\/([^/]+)\/([^/]+)\/(stop|start)\/?$/, handler: flipMachine },
];

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
