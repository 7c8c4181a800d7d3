import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Fresh keys per start: tokens are not meant to survive a restart of the local server. */
export function generateSigningJwks(): { keys: Record<string, unknown>[] } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] };
}

export function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}
