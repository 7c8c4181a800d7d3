import { createHash } from 'node:crypto';
import { Emitter } from '../emitter';
import type { RequestLogger } from '../network/requestLog';
import { RelayClient, type RelayTarget, type RelayTls } from './relayClient';

/**
 * Reuses one gRPC channel per fleet, relay and credential; reset() drops them all (fleet switch, sign-out,
 * a key added or removed). OAuth clients are keyed by account, not token, so a refreshed token keeps the channel.
 */
export class RelayPool {
  private readonly clients = new Map<string, RelayClient>();
  private readonly resets = new Emitter();
  /** Fired before the channels close, so open sessions can say why they end. */
  readonly onWillReset = this.resets.event;

  private tlsFor: (address: string) => RelayTls | undefined = () => undefined;

  /** `log` receives a line per relay call (see relayLogging.ts). */
  constructor(private readonly log?: RequestLogger) {}

  /** The mode's CA per relay address from now on (set with the mode's services, after a reset). */
  setTls(tlsFor: (address: string) => RelayTls | undefined): void {
    this.tlsFor = tlsFor;
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
      client = new RelayClient({ ...target, tls: target.tls ?? this.tlsFor(target.address) }, this.log);
      this.clients.set(key, client);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }

  reset(): void {
    if (this.clients.size === 0) return;
    this.resets.fire();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
