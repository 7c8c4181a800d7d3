import { status, type Metadata } from '@grpc/grpc-js';
import { accessFleet } from '../auth/fleetAccess';
import { actorOf, type Principal } from '../auth/principal';
import { canOperateMachines } from '../auth/roles';
import type { Fleet } from '../fleet/fleetDirectory';
import type { Role } from '../seed/seedTypes';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';

export interface CallContext {
  principal: Principal;
  actor: string;
  fleet: Fleet;
  role: Role;
  sourceIp: string;
  /** x-cmdop-agent-id (or x-agent-id), when sent. */
  agentRef: string;
}

export interface CallPolicy {
  /** Verb phrase for messages, e.g. "create sessions". */
  operation: string;
  /** Changes something on a machine (Guests may not). */
  mutates: boolean;
}

const FLEET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface AuthorizableCall {
  metadata: Metadata;
  getPeer(): string;
}

/**
 * The checks every relay call passes, in order: credential, fleet named in
 * workspace_id, membership, relay, role. Each refusal says what to fix.
 */
export async function authorizeCall(deps: RelayDeps, call: AuthorizableCall, policy: CallPolicy): Promise<CallContext> {
  const resolution = await deps.resolver.resolve(singleValue(call.metadata, 'authorization'));
  if (!resolution.ok) throw new RelayError(status.UNAUTHENTICATED, resolution.detail);
  const { principal } = resolution;

  const fleetId = singleValue(call.metadata, 'workspace_id')?.trim() || impliedFleet(deps, principal);
  if (!FLEET_ID.test(fleetId)) {
    throw new RelayError(
      status.INVALID_ARGUMENT,
      `malformed workspace_id "${fleetId.slice(0, 80)}": expected a fleet id such as "acme-prod"`,
    );
  }
  const access = accessFleet(deps.directory, principal, fleetId);
  if (!access.ok) {
    throw new RelayError(access.status === 'not_found' ? status.NOT_FOUND : status.PERMISSION_DENIED, `${access.detail} (workspace_id)`);
  }
  const { fleet, role } = access;

  if (fleet.relay !== deps.relayName) {
    throw new RelayError(
      status.FAILED_PRECONDITION,
      `fleet ${fleet.id} is served by relay ${deps.relayAddressOf(fleet)}, not by this relay (${deps.ownAddress()}); connect there`,
    );
  }
  const actor = actorOf(principal);
  if (policy.mutates && !canOperateMachines(role)) {
    throw new RelayError(
      status.PERMISSION_DENIED,
      `observer-only: ${actor} has the ${role} role in fleet ${fleet.id} and cannot ${policy.operation}`,
    );
  }
  return { principal, actor, fleet, role, sourceIp: peerIp(call.getPeer()), agentRef: agentRefOf(call.metadata) };
}

/**
 * The fleet a call without workspace_id means, when the credential leaves no doubt: an API key belongs
 * to one fleet, and so does a user who is a member of only one. The SDK sends no workspace_id.
 */
function impliedFleet(deps: RelayDeps, principal: Principal): string {
  if (principal.kind === 'api_key') return principal.key.fleetId;
  const fleets = deps.directory.membershipsOf(principal.user.email).map((m) => m.fleet.id);
  if (fleets.length === 1) return fleets[0];
  const which =
    fleets.length === 0
      ? `${principal.user.email} is a member of no fleet`
      : `${principal.user.email} is a member of ${fleets.length} fleets (${fleets.join(', ')})`;
  throw new RelayError(
    status.INVALID_ARGUMENT,
    `missing workspace_id metadata: ${which}; send workspace_id set to the id of the fleet to act in`,
  );
}

/** The SDK's x-cmdop-agent-id, or this project's older x-agent-id; both at once must agree. */
function agentRefOf(metadata: Metadata): string {
  // Our addition: a non-ASCII hostname arrives as UTF-8 bytes, which cannot travel as text metadata.
  const binary = metadata.get('x-cmdop-agent-id-bin');
  if (binary.length > 1)
    throw new RelayError(status.INVALID_ARGUMENT, 'metadata "x-cmdop-agent-id-bin" was sent more than once; send it once');
  if (binary.length === 1) return Buffer.from(binary[0]).toString('utf8').trim();
  const upstream = singleValue(metadata, 'x-cmdop-agent-id')?.trim() ?? '';
  const legacy = singleValue(metadata, 'x-agent-id')?.trim() ?? '';
  if (upstream && legacy && upstream !== legacy) {
    throw new RelayError(
      status.INVALID_ARGUMENT,
      `x-cmdop-agent-id "${upstream.slice(0, 80)}" and x-agent-id "${legacy.slice(0, 80)}" disagree; send one`,
    );
  }
  return upstream || legacy;
}

function singleValue(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new RelayError(status.INVALID_ARGUMENT, `metadata "${key}" was sent more than once; send it once`);
  const [value] = values;
  if (typeof value !== 'string') throw new RelayError(status.INVALID_ARGUMENT, `metadata "${key}" must be text, not binary`);
  // grpc-js joins repeated text headers with ", "; none of our values can contain a comma.
  if (value.includes(',')) throw new RelayError(status.INVALID_ARGUMENT, `metadata "${key}" was sent more than once; send it once`);
  return value;
}

/** "ipv4:127.0.0.1:5000", "127.0.0.1:5000" or "[::1]:5000" → the address alone. */
function peerIp(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(withoutScheme);
  if (bracketed) return bracketed[1];
  const lastColon = withoutScheme.lastIndexOf(':');
  return lastColon > 0 && withoutScheme.indexOf(':') === lastColon ? withoutScheme.slice(0, lastColon) : withoutScheme;
}
