import { createHash } from 'node:crypto';
import { Emitter } from '../emitter';
import type { RequestLogger } from '../network/requestLog';
import { RelayClient, type RelayTarget, type RelayTls } from './relayClient';

export interface RelayPoolOptions {
  /** Receives a line per relay call (see relayLogging.ts). */
  log?: RequestLogger;
  /** The mode's CA for a relay address (its own relay CA file, or the mode's); fixed for the pool's lifetime. */
  tlsFor?: (address: string) => RelayTls | undefined;
  /** Fires when who we are or which fleet may have changed: every channel is dropped so nothing leaks across fleets. */
  onCredentialsChange?: (listener: () => void) => { dispose(): void };
}

/**
 * Reuses one gRPC channel per fleet, relay and credential, for one mode's services: a change of mode, endpoints
 * or CA builds a new pool. OAuth clients are keyed by account, not token, so a refreshed token keeps the channel.
 */
export class RelayPool {
  private readonly clients = new Map<string, RelayClient>();
  private readonly drops = new Emitter();
  /** Fired before the channels close, so open sessions can say why they end. */
  readonly onWillReset = this.drops.event;
  private readonly watch: { dispose(): void } | undefined;

  constructor(private readonly options: RelayPoolOptions = {}) {
    this.watch = options.onCredentialsChange?.(() => this.dropAll());
  }

  get(target: RelayTarget): RelayClient {
    const { credential } = target;
    const who =
      credential.kind === 'oauth'
        ? `oauth:${credential.account}`
        : createHash('sha256').update(credential.secret).digest('hex').slice(0, 16);
    const key = `${target.fleetId}|${target.address}|${who}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new RelayClient({ ...target, tls: target.tls ?? this.options.tlsFor?.(target.address) }, this.options.log);
      this.clients.set(key, client);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Closes every channel (open sessions are told first) and stops following credential changes. */
  dispose(): void {
    this.watch?.dispose();
    this.dropAll();
    this.drops.dispose();
  }

  private dropAll(): void {
    if (this.clients.size === 0) return;
    this.drops.fire();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
