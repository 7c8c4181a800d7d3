import type { FleetInfo } from '../core/fleet/fleetApi';
import type { FleetContext } from '../core/fleet/fleetContext';
import { ownFleet } from '../core/commands/ownFleet';
import { CmdopError } from '../core/errors';
import { canUseSessions } from '../core/fleet/machines';
import type { RelayClient } from '../core/relay/relayClient';
import type { RelayPool } from '../core/relay/relayPool';

export class ObserverOnlyError extends CmdopError {
  constructor(fleet: string) {
    super(
      `You are a Guest in fleet "${fleet}": guests are observer-only and cannot run commands or open shells. Ask a fleet admin for the Member role.`,
    );
  }
}

const unreachableFleet = (fleetId: string) =>
  new CmdopError(`No fleet "${fleetId}" is reachable with your sign-in or stored keys. Sign in, or add that fleet's API key.`);

/** The fleet by id (never by name) among the fleets the user's credentials reach: our own record of it. */
export async function fleetById(fleets: FleetContext, fleetId: string): Promise<FleetInfo> {
  const fleet = ownFleet(
    (await fleets.choices()).map((c) => c.fleet),
    fleetId,
  );
  if (!fleet) throw unreachableFleet(fleetId);
  return fleet;
}

/**
 * A relay client for a fleet, with the credential the resolver picks for that fleet. Only the fleet's id is
 * taken from the caller (a tree node, a command argument): relay address, role and name are our own.
 */
export async function relayFor(
  fleets: FleetContext,
  pool: RelayPool,
  requested: Pick<FleetInfo, 'id'>,
  forRunning: boolean,
): Promise<RelayClient> {
  const { credential, fleet } = await fleets.current({ fleetId: requested.id });
  if (fleet.id !== requested.id) throw unreachableFleet(requested.id);
  if (forRunning && !canUseSessions(fleet.role)) throw new ObserverOnlyError(fleet.name);
  const currentCredential =
    credential.kind === 'oauth' ? async () => ({ ...credential, secret: await fleets.oauthAccessToken() }) : undefined;
  const renewCredential = credential.kind === 'oauth' ? async () => fleets.oauthTokenRejected(await fleets.oauthAccessToken()) : undefined;
  return pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential, currentCredential, renewCredential });
}
