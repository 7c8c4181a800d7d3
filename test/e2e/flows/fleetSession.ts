// Session options shared by the e2e tests that talk to the local fleet server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetServer } from '../../../fleet-server/src/index';
import type { Session, SessionOptions } from '../harness';

/**
 * A clean environment for the extension host: no CMDOP_API_KEY from the developer's shell, and an empty
 * CMDOP config folder, so a real ssh_workspaces.json on this machine cannot leak into a test.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { CMDOP_API_KEY: '', CMDOP_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'cmdop-config-')), ...extra };
}

export function fleetSession(name: string, options: Partial<SessionOptions> = {}): SessionOptions {
  return { name, fleet: true, ...options, env: cleanEnv(options.env) };
}

export function fleetOf(session: Session): FleetServer {
  return session.fleet as unknown as FleetServer;
}

export function seededKey(session: Session, fleetId: string, keyName: string): string {
  const fleet = fleetOf(session).seed.fleets.find((f) => f.id === fleetId);
  const key = fleet?.api_keys.find((k) => k.name === keyName);
  if (!key) throw new Error(`no seeded key ${keyName} in ${fleetId}`);
  return key.secret;
}
