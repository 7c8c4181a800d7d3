// The setup most protocol tests share: a fleet server for the describe() block, a gRPC client on the acme-prod
// relay, and the metadata of the seeded ci-deploy key on web-1; both closed after the block.
import { after, before } from 'node:test';
import { startFleetServer, type FleetServer, type FleetServerOptions } from '../../../fleet-server/src/index';
import { seededKey } from './fleetHelpers';
import { relayClient, type RelayClient } from './relayClient';

export interface FleetRelay {
  server: FleetServer;
  relay: RelayClient;
  meta: { token: string; fleet: string; agent: string };
}

/** Call inside describe(); the fields are set in its before hook. */
export function useFleetRelay(options: FleetServerOptions = {}): FleetRelay {
  const fixture = {} as FleetRelay;
  before(async () => {
    fixture.server = await startFleetServer(options);
    fixture.relay = relayClient(fixture.server.relays['acme-prod']);
    fixture.meta = { token: seededKey(fixture.server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'web-1' };
  });
  after(async () => {
    fixture.relay?.close();
    await fixture.server?.close();
  });
  return fixture;
}
