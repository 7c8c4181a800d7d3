import type { FleetInfo } from '../core/fleet/fleetApi';
import type { FleetContext } from '../core/fleet/fleetContext';
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

/** A relay client for a fleet, with the credential the resolver picks for that fleet. */
export async function relayFor(fleets: FleetContext, pool: RelayPool, fleet: FleetInfo, forRunning: boolean): Promise<RelayClient> {
  if (forRunning && !canUseSessions(fleet.role)) throw new ObserverOnlyError(fleet.name);
  const { credential } = await fleets.current({ fleetId: fleet.id });
  const currentCredential =
    credential.kind === 'oauth' ? async () => ({ ...credential, secret: await fleets.oauthAccessToken() }) : undefined;
  const renewCredential = credential.kind === 'oauth' ? async () => fleets.oauthTokenRejected(await fleets.oauthAccessToken()) : undefined;
  return pool.get({ address: fleet.relay, fleetId: fleet.id, fleetName: fleet.name, credential, currentCredential, renewCredential });
}
