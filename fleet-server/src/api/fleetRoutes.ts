import type { IncomingMessage } from 'node:http';
import { apiKeyMetadata } from '../auth/apiKeyStore';
import { accessFleet, type FleetAccess } from '../auth/fleetAccess';
import type { Principal } from '../auth/principal';
import { API_KEY_ROLE, canManageFleet } from '../auth/roles';
import type { ApiContext } from './apiContext';
import { HttpError } from './httpJson';
import { listMachines } from './machineListing';

export interface ApiRequest {
  req: IncomingMessage;
  url: URL;
  params: string[];
}

type Handler = (ctx: ApiContext, request: ApiRequest) => Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

const FLEET = '([^/]+)';

export const FLEET_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/api\/whoami\/?$/, handler: whoami },
  { method: 'GET', pattern: /^\/api\/fleets\/?$/, handler: fleets },
  { method: 'GET', pattern: new RegExp(`^/api/fleets/${FLEET}/?$`), handler: fleetDetail },
  { method: 'GET', pattern: new RegExp(`^/api/fleets/${FLEET}/machines/?$`), handler: machines },
  { method: 'GET', pattern: new RegExp(`^/api/fleets/${FLEET}/api-keys/?$`), handler: apiKeys },
  { method: 'GET', pattern: new RegExp(`^/api/fleets/${FLEET}/audit/?$`), handler: audit },
];

async function authenticate(ctx: ApiContext, request: ApiRequest): Promise<Principal> {
  const resolution = await ctx.resolver.resolve(request.req.headers.authorization);
  if (!resolution.ok) throw new HttpError(401, resolution.detail, resolution.reason);
  return resolution.principal;
}

async function fleetFor(ctx: ApiContext, request: ApiRequest): Promise<Extract<FleetAccess, { ok: true }>> {
  const principal = await authenticate(ctx, request);
  const access = accessFleet(ctx.directory, principal, decodeURIComponent(request.params[0]));
  if (!access.ok) throw new HttpError(access.status === 'not_found' ? 404 : 403, access.detail);
  return access;
}

async function whoami(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const principal = await authenticate(ctx, request);
  if (principal.kind === 'api_key') {
    const fleet = ctx.directory.fleet(principal.key.fleetId);
    const { revoked: _revoked, ...key } = apiKeyMetadata(principal.key);
    return { kind: 'api_key', key, fleet: fleet && { id: fleet.id, name: fleet.name, relay: ctx.relayFor(fleet) } };
  }
  return {
    kind: 'user',
    email: principal.user.email,
    name: principal.user.name,
    fleets: ctx.directory
      .membershipsOf(principal.accountId)
      .map(({ fleet, role }) => ({ id: fleet.id, name: fleet.name, role, relay: ctx.relayFor(fleet) })),
  };
}

async function fleets(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const principal = await authenticate(ctx, request);
  if (principal.kind === 'api_key') {
    const fleet = ctx.directory.fleet(principal.key.fleetId);
    return fleet ? [{ id: fleet.id, name: fleet.name, role: API_KEY_ROLE, relay: ctx.relayFor(fleet) }] : [];
  }
  return ctx.directory
    .membershipsOf(principal.accountId)
    .map(({ fleet, role }) => ({ id: fleet.id, name: fleet.name, role, relay: ctx.relayFor(fleet) }));
}

async function fleetDetail(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const { fleet, role } = await fleetFor(ctx, request);
  return { id: fleet.id, name: fleet.name, role, relay: ctx.relayFor(fleet) };
}

async function machines(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const { fleet } = await fleetFor(ctx, request);
  return listMachines(fleet, request.url.searchParams, { keyset: !ctx.upstreamOnly });
}

async function apiKeys(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const { fleet, role } = await fleetFor(ctx, request);
  if (!canManageFleet(role)) {
    throw new HttpError(403, `listing API keys of fleet ${fleet.id} needs the Owner or Admin role (caller has ${role})`);
  }
  return ctx.apiKeys.keysOf(fleet.id).map((key) => apiKeyMetadata(key));
}

async function audit(ctx: ApiContext, request: ApiRequest): Promise<unknown> {
  const { fleet } = await fleetFor(ctx, request);
  return ctx.audit.list(fleet.id);
}
