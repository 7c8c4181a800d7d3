import type { Seed, SeedMachine } from './seedTypes';

/**
 * This project's addition, for tests only (`hostileNames` / `--hostile-names`): machines in acme-prod whose
 * names are what a hostile fleet could send: a command link, a codicon, terminal escapes (set the title, clear
 * the screen), a right-to-left override before the "online · linux" a client draws after the name, and one
 * name of 300 characters. The server only stores, compares and lists them; no name is ever evaluated by a shell
 * (the prompt reads $HOSTNAME as a value), and homes use a hashed folder name for names unsafe in a path.
 */
export const HOSTILE_HOSTNAME = 'evil-1[x](command:cmdop.signOut)$(alert)\x1b]0;evil\x07\x1b[2J\u202eRTL';
export const LONG_HOSTNAME = `long-${'x'.repeat(295)}`;
export const HOSTILE_FLEET_ID = 'acme-prod';

export function withHostileMachines(seed: Seed): Seed {
  const machines: SeedMachine[] = [
    { hostname: HOSTILE_HOSTNAME, name: HOSTILE_HOSTNAME, os: 'linux', online: true, agent_version: '1.0.0' },
    { hostname: LONG_HOSTNAME, os: 'linux', online: false, last_seen: '2026-01-01T00:00:00Z', agent_version: '1.0.0' },
  ];
  return {
    ...seed,
    fleets: seed.fleets.map((f) => (f.id === HOSTILE_FLEET_ID ? { ...f, machines: [...f.machines, ...machines] } : f)),
  };
}
