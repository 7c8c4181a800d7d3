import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROLES, RELAY_NAMES, type Seed, type SeedFleet } from './seedTypes';

export const DEFAULT_SEED_PATH = path.resolve(__dirname, '../../seed.json');

const API_KEY_PATTERN = /^cmdop_[A-Za-z0-9_-]{32,}$/;

/** Reads and checks a seed file; a broken seed should fail at start, not on first request. */
export function loadSeed(seedPath: string = DEFAULT_SEED_PATH): Seed {
  const seed = JSON.parse(readFileSync(seedPath, 'utf8')) as Seed;
  validateSeed(seed, seedPath);
  return seed;
}

function validateSeed(seed: Seed, source: string): void {
  const fail = (message: string): never => {
    throw new Error(`Invalid seed ${source}: ${message}`);
  };
  if (!Array.isArray(seed.users) || !Array.isArray(seed.fleets)) fail('needs "users" and "fleets" arrays');
  const emails = new Set(seed.users.map((u) => u.email));
  const fleetIds = new Set<string>();
  const secrets = new Set<string>();
  for (const fleet of seed.fleets) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(fleet.id)) fail(`fleet id "${fleet.id}" must be lowercase letters, digits and dashes`);
    if (fleetIds.has(fleet.id)) fail(`duplicate fleet id "${fleet.id}"`);
    fleetIds.add(fleet.id);
    if (fleet.relay && !RELAY_NAMES.includes(fleet.relay)) fail(`fleet ${fleet.id}: relay must be one of ${RELAY_NAMES.join(', ')}`);
    for (const member of fleet.members) {
      if (!emails.has(member.email)) fail(`fleet ${fleet.id}: member ${member.email} is not a seeded user`);
      if (!ROLES.includes(member.role)) fail(`fleet ${fleet.id}: role ${member.role} must be one of ${ROLES.join(', ')}`);
    }
    const hostnames = new Set<string>();
    for (const machine of fleet.machines) {
      if (hostnames.has(machine.hostname)) fail(`fleet ${fleet.id}: duplicate hostname ${machine.hostname}`);
      hostnames.add(machine.hostname);
      if (machine.bulk_folder !== undefined && !/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(machine.bulk_folder)) {
        fail(`fleet ${fleet.id}: ${machine.hostname}'s bulk_folder must be one folder name inside its home`);
      }
    }
    for (const key of fleet.api_keys) {
      if (!API_KEY_PATTERN.test(key.secret)) fail(`fleet ${fleet.id}: key ${key.name} must be "cmdop_" + 32 or more url-safe characters`);
      if (secrets.has(key.secret)) fail(`fleet ${fleet.id}: key ${key.name} reuses another key's secret`);
      secrets.add(key.secret);
    }
  }
}

export const SCALE_FLEET_ID = 'scale-10k';

/**
 * The scale fleet lists many machines; the first `onlineCount` of them have agents (served by shared
 * agent-host processes), the rest are offline: listing and paging, and fan-out to many online machines.
 */
export function withScaleFleet(seed: Seed, listedCount: number, onlineCount = 0, memberEmail = 'alice@acme.test'): Seed {
  const machineCount = Math.max(listedCount, onlineCount);
  if (machineCount <= 0) return seed;
  const width = String(machineCount).length;
  const fleet: SeedFleet = {
    id: SCALE_FLEET_ID,
    name: `Scale test (${machineCount} machines)`,
    relay: 'default',
    members: seed.users.some((u) => u.email === memberEmail) ? [{ email: memberEmail, role: 'Member' }] : [],
    machines: Array.from({ length: machineCount }, (_, i) => {
      const hostname = `node-${String(i + 1).padStart(width, '0')}`;
      return {
        hostname,
        name: hostname,
        os: i % 10 === 9 ? 'macos' : 'linux',
        online: i < onlineCount,
        last_seen: '2025-01-01T00:00:00.000Z',
      };
    }),
    // A key for scripts and benchmarks (a fresh secret each start: read it from server.seed).
    api_keys: [
      {
        name: 'scale-ci',
        secret: `cmdop_${randomBytes(24).toString('base64url')}`,
        created_at: '2025-01-01T00:00:00.000Z',
        expires_at: null,
      },
    ],
  };
  return { ...seed, fleets: [...seed.fleets.filter((f) => f.id !== SCALE_FLEET_ID), fleet] };
}
