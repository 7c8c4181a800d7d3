import { status } from '@grpc/grpc-js';
import type { SessionRequest } from '../agents/agentSupervisor';
import type { CreateSessionRequest } from './messages';
import { RelayError } from './relayError';

export const MAX_INPUT_BYTES = 64 * 1024;
const ALLOWED_SHELLS = new Map([
  ['', '/bin/bash'],
  ['bash', '/bin/bash'],
  ['/bin/bash', '/bin/bash'],
  ['/usr/bin/bash', '/bin/bash'],
  ['sh', '/bin/sh'],
  ['/bin/sh', '/bin/sh'],
]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ENV_ENTRIES = 64;
const MAX_ENV_VALUE = 4096;

export function validateTerminalSize(cols: number, rows: number): void {
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1 || cols > 1000 || rows > 1000) {
    throw new RelayError(status.INVALID_ARGUMENT, `terminal size must be 1..1000 columns and rows, got ${cols}x${rows}`);
  }
}

/** Turns a CreateSessionRequest into what the agent runs, refusing anything it could not run sensibly. */
export function sessionRequestFrom(request: CreateSessionRequest, actor: string): SessionRequest {
  const config = request.config;
  const shell = ALLOWED_SHELLS.get((config?.shell ?? '').trim());
  if (!shell) {
    throw new RelayError(status.INVALID_ARGUMENT, `unsupported shell "${config?.shell}": use /bin/bash or /bin/sh`);
  }
  const cols = config?.size?.cols || 80;
  const rows = config?.size?.rows || 24;
  validateTerminalSize(cols, rows);
  const env = config?.env ?? {};
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV_ENTRIES) throw new RelayError(status.INVALID_ARGUMENT, `at most ${MAX_ENV_ENTRIES} environment variables`);
  for (const [name, value] of entries) {
    if (!ENV_NAME.test(name)) throw new RelayError(status.INVALID_ARGUMENT, `invalid environment variable name "${name}"`);
    if (value.length > MAX_ENV_VALUE)
      throw new RelayError(status.INVALID_ARGUMENT, `environment variable ${name} exceeds ${MAX_ENV_VALUE} characters`);
  }
  const cwd = (config?.working_directory ?? '').trim();
  if (cwd && !cwd.startsWith('/')) throw new RelayError(status.INVALID_ARGUMENT, `working_directory must be absolute, got "${cwd}"`);
  if (Buffer.byteLength(request.command) > MAX_INPUT_BYTES) {
    throw new RelayError(status.INVALID_ARGUMENT, `command exceeds ${MAX_INPUT_BYTES} bytes`);
  }
  return {
    actor,
    shell,
    command: request.command ? request.command : undefined,
    cwd,
    env: { ...env },
    cols,
    rows,
  };
}
