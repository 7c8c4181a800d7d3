/**
 * The fleet an argument names, by id only, among the fleets this extension itself listed. A name never
 * selects a fleet (someone else's fleet may be named like one of your fleet ids), and nothing else an
 * argument carries (relay address, role, name) is used: the caller gets our own record of the fleet.
 */
export function ownFleet<Fleet extends { id: string }>(fleets: readonly Fleet[], fleetId: unknown): Fleet | undefined {
  return typeof fleetId === 'string' && fleetId !== '' ? fleets.find((f) => f.id === fleetId) : undefined;
}
