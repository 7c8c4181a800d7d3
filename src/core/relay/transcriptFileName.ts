import { createHash } from 'node:crypto';

const SAFE_NAME = /^[\w.-]{1,64}$/;

/**
 * The file a test-only terminal transcript goes to: `<hostname>-<n>.log` when the hostname is short and
 * filename-safe, else a name derived from its hash, so any hostname (non-ASCII, 300 characters, slashes) works.
 */
export function transcriptFileName(hostname: string, n: number): string {
  const stem = SAFE_NAME.test(hostname) ? hostname : `host-${createHash('sha256').update(hostname, 'utf8').digest('hex').slice(0, 16)}`;
  return `${stem}-${n}.log`;
}
