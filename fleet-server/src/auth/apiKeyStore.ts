import { createHash } from 'node:crypto';
import type { Seed } from '../seed/seedTypes';

export interface ApiKey {
  name: string;
  fleetId: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface ApiKeyMetadata {
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked: boolean;
}

export type ApiKeyLookup = { ok: true; key: ApiKey } | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; key?: ApiKey };

const PREFIX_LENGTH = 12;

/** Fleet API keys, indexed by a hash so secrets are never compared or kept in plain form. */
export class ApiKeyStore {
  private readonly byHash = new Map<string, ApiKey>();

  constructor(seed: Seed) {
    for (const fleet of seed.fleets) {
      for (const key of fleet.api_keys) {
        this.byHash.set(hashSecret(key.secret), {
          name: key.name,
          fleetId: fleet.id,
          prefix: key.secret.slice(0, PREFIX_LENGTH),
          createdAt: new Date(key.created_at),
          expiresAt: key.expires_at ? new Date(key.expires_at) : null,
          revokedAt: key.revoked_at ? new Date(key.revoked_at) : null,
          lastUsedAt: null,
        });
      }
    }
  }

  /** Checks a presented secret; a successful check counts as a use. */
  authenticate(secret: string, now = new Date()): ApiKeyLookup {
    const key = this.byHash.get(hashSecret(secret));
    if (!key) return { ok: false, reason: 'unknown' };
    if (key.revokedAt && key.revokedAt <= now) return { ok: false, reason: 'revoked', key };
    if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: 'expired', key };
    key.lastUsedAt = now;
    return { ok: true, key };
  }

  /** Revokes a fleet's key by name, effective at once; undefined when there is no such key. */
  revoke(fleetId: string, name: string, now = new Date()): ApiKey | undefined {
    const key = this.keysOf(fleetId).find((k) => k.name === name);
    if (key && !(key.revokedAt && key.revokedAt <= now)) key.revokedAt = now;
    return key;
  }

  keysOf(fleetId: string): ApiKey[] {
    return [...this.byHash.values()].filter((k) => k.fleetId === fleetId);
  }
}

export function apiKeyMetadata(key: ApiKey, now = new Date()): ApiKeyMetadata {
  return {
    name: key.name,
    prefix: key.prefix,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked: key.revokedAt !== null && key.revokedAt <= now,
  };
}

export function isApiKeySecret(token: string): boolean {
  return token.startsWith('cmdop_');
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
