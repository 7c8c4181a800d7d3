import type { FleetServer } from '../../../fleet-server/src/index';
import { RelayClient } from '../../../src/core/relay/relayClient';

/** A relay client for the seeded fleet acme-prod, holding its ci-deploy key. */
export function acmeProdClient(server: FleetServer): RelayClient {
  const secret = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
  return new RelayClient({
    address: server.relays['acme-prod'],
    fleetId: 'acme-prod',
    fleetName: 'Acme Production',
    credential: { kind: 'apiKey', source: 'setting', secret, fleetId: 'acme-prod' },
  });
}
