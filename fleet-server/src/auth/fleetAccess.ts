import type { Fleet, FleetDirectory } from '../fleet/fleetDirectory';
import type { Role } from '../seed/seedTypes';
import type { Principal } from './principal';
import { API_KEY_ROLE } from './roles';

export type FleetAccess = { ok: true; fleet: Fleet; role: Role } | { ok: false; status: 'not_found' | 'forbidden'; detail: string };

/** Whether a principal may act in a fleet, and as what. */
export function accessFleet(directory: FleetDirectory, principal: Principal, fleetId: string): FleetAccess {
  const fleet = directory.fleet(fleetId);
  if (!fleet) return { ok: false, status: 'not_found', detail: `unknown fleet "${fleetId}"` };
  if (principal.kind === 'api_key') {
    if (principal.key.fleetId !== fleet.id) {
      return {
        ok: false,
        status: 'forbidden',
        detail: `API key "${principal.key.name}" belongs to fleet ${principal.key.fleetId} and cannot be used for fleet ${fleet.id}`,
      };
    }
    return { ok: true, fleet, role: API_KEY_ROLE };
  }
  const role = fleet.members.get(principal.accountId);
  if (!role) return { ok: false, status: 'forbidden', detail: `${principal.user.email} is not a member of fleet ${fleet.id}` };
  return { ok: true, fleet, role };
}
