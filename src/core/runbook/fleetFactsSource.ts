import type { FleetApi } from '../fleet/fleetApi';
import type { FleetContext } from '../fleet/fleetContext';
import type { FleetFactsSource } from './fleetFacts';

/** Fleet facts through the extension's own resolver and REST client: the credential never leaves this side. */
export function fleetFactsSource(fleets: FleetContext, api: FleetApi): FleetFactsSource {
  return {
    async fleets() {
      const choices = await fleets.choices();
      if (choices.length === 0)
        throw new Error('you are signed out and no fleet API key is stored. Run "CMDOP: Sign In" or "CMDOP: Add Fleet API Key".');
      const active = await fleets.current().catch(() => undefined);
      return {
        fleets: choices.map(({ fleet }) => ({ id: fleet.id, name: fleet.name, role: fleet.role })),
        activeFleetId: active?.fleet.id,
      };
    },
    async machines(fleetId, query) {
      const { credential } = await fleets.current({ fleetId });
      return api.machines(credential, fleetId, query);
    },
  };
}
