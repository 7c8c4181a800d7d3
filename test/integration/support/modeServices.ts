// The mode's object graph exactly as the extension builds it (buildModeServices), over in-memory stores and a
// fresh shared folder instead of VS Code's: tests exercise the wiring that ships rather than one rebuilt by hand.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoints } from '../../../src/core/credentials/endpoints';
import { buildModeServices, type ModeLog, type ModeServices } from '../../../src/core/modeServices';
import { MemorySecrets, MemoryState } from '../../unit/support/memory';

const quiet: ModeLog = { info: () => {}, debug: () => {}, trace: () => {} };

export interface TestModeServices extends ModeServices {
  secrets: MemorySecrets;
  state: MemoryState;
}

export function testModeServices(
  endpoints: Endpoints,
  options: { env?: Record<string, string>; log?: ModeLog; secrets?: MemorySecrets } = {},
): TestModeServices {
  const secrets = options.secrets ?? new MemorySecrets();
  const state = new MemoryState();
  const services = buildModeServices({
    mode: 'dev',
    endpoints,
    env: options.env ?? {},
    secrets,
    state,
    sharedDir: mkdtempSync(join(tmpdir(), 'cmdop-windows-')),
    settingFleet: () => undefined,
    proxy: () => ({ strictSSL: true, noProxy: [] }),
    confirmLegacyImport: async () => false,
    log: options.log ?? quiet,
    legacyFiles: [],
  });
  return { ...services, secrets, state };
}
