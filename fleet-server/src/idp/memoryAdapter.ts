import type { Adapter, AdapterPayload } from 'oidc-provider';

interface StoredEntry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider storage for one server instance. Unlike the bundled memory
 * adapter it remembers which ids were destroyed (revoked), so a refused
 * token can be reported as "revoked" rather than just "invalid", and it keeps
 * expired entries long enough to say "expired".
 */
export class OidcMemoryStore {
  private readonly models = new Map<string, Map<string, StoredEntry>>();
  private readonly destroyed = new Set<string>();
  /** Expired entries stay findable this long, so expiry can be told apart from garbage. */
  private readonly expiredRetentionMs = 24 * 3600 * 1000;

  adapterFor(modelName: string): Adapter {
    const entries = this.models.get(modelName) ?? new Map<string, StoredEntry>();
    this.models.set(modelName, entries);
    const prune = (): void => {
      const cutoff = Date.now() - this.expiredRetentionMs;
      for (const [id, entry] of entries) if (entry.expiresAt < cutoff) entries.delete(id);
    };
    const findBy = (field: 'userCode' | 'uid', value: string): AdapterPayload | undefined => {
      for (const entry of entries.values()) if (entry.payload[field] === value) return entry.payload;
      return undefined;
    };
    const destroy = (id: string): void => {
      entries.delete(id);
      this.destroyed.add(`${modelName}:${id}`);
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        prune();
        entries.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      },
      find: async (id) => entries.get(id)?.payload,
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      findByUid: async (uid) => findBy('uid', uid),
      consume: async (id) => {
        const entry = entries.get(id);
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => destroy(id),
      revokeByGrantId: async (grantId) => {
        for (const [id, entry] of entries) if (entry.payload.grantId === grantId) destroy(id);
      },
    };
  }

  /** Revokes every grant and token of an account at once (fault injection: "the user's access was revoked"). */
  revokeAccount(accountId: string): number {
    let revoked = 0;
    for (const [modelName, entries] of this.models) {
      for (const [id, entry] of entries) {
        if (entry.payload.accountId !== accountId) continue;
        entries.delete(id);
        this.destroyed.add(`${modelName}:${id}`);
        revoked++;
      }
    }
    return revoked;
  }

  /** Makes the account's access tokens expire now (refresh tokens stay good): "the token expired under an open shell". */
  expireAccessTokens(accountId: string): number {
    const now = Math.floor(Date.now() / 1000);
    let expired = 0;
    for (const entry of this.models.get('AccessToken')?.values() ?? []) {
      if (entry.payload.accountId !== accountId || (entry.payload.exp ?? Infinity) <= now) continue;
      entry.payload.exp = now - 1;
      expired++;
    }
    return expired;
  }

  wasDestroyed(modelName: string, id: string): boolean {
    return this.destroyed.has(`${modelName}:${id}`);
  }
}
