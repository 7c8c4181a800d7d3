// The local fleet server (fleet-server/): identity provider, fleet API and relays on loopback ports.
import type { FleetServer, FleetServerOptions } from '../../../fleet-server/src/index';
import type { DevEndpoints } from './userSettings';

export type LocalFleet = FleetServer;
export type LocalFleetOptions = FleetServerOptions;

/** Starts a fleet server in this process on ephemeral ports (loaded on first use: most tests need none). */
export async function startLocalFleet(options: LocalFleetOptions = {}): Promise<LocalFleet> {
  const { startFleetServer } = await import('../../../fleet-server/src/index');
  return startFleetServer(options);
}

/** The `cmdop.endpoints.dev` value for a running fleet server. */
export function fleetEndpoints(fleet: LocalFleet): DevEndpoints {
  return { issuer: fleet.issuer, api: fleet.apiUrl, relay: fleet.defaultRelay, clientId: fleet.clientId };
}
