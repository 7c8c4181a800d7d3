import type { Machine } from '../../../src/core/fleet/fleetApi';

/** A machine as the REST API lists it, named `id` (hostname `<id>.local`). */
export const machine = (id: string, online = true, extra: Partial<Machine> = {}): Machine => ({
  id,
  name: id,
  hostname: `${id}.local`,
  os: 'linux',
  is_online: online,
  status: online ? 'online' : 'offline',
  last_seen: '2026-11-22T10:00:00Z',
  agent_version: '1.0.0',
  ...extra,
});
