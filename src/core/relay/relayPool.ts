import { createHash } from 'node:crypto';
import { RelayClient, type RelayTarget } from './relayClient';

/** Reuses one gRPC channel per fleet, relay and credential; reset() drops them all (fleet switch, sign-out). */
export class RelayPool {
  private readonly clients = new Map<string, RelayClient>();

  get(target: RelayTarget): RelayClient {
    const secretHash = createHash('sha256').update(target.credential.secret).digest('hex').slice(0, 16);
    const key = `${target.fleetId}|${target.address}|${secretHash}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new RelayClient(target);
      this.clients.set(key, client);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }

  reset(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
