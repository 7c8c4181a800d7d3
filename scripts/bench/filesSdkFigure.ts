// Machine files against the fleet server itself: the extension's reader vs the public SDK's `files.read` making
// 4 MiB reads one after another (what a script using @cmdop/node does for a file bigger than one answer).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMDOPClient } from '@cmdop/node';
import { startFleetServer } from '../../fleet-server/src/index';
import { readWholeFile, READ_CHUNK_BYTES } from '../../src/core/files/chunkedReader';
import { MachineFiles } from '../../src/core/files/machineFiles';
import { RelayClient } from '../../src/core/relay/relayClient';
import { BIG_BYTES, RUNS } from './filesFigures';
import { type Figure, summarize, timed } from './stats';

export async function filesSdkFigure(): Promise<Figure> {
  const server = await startFleetServer();
  const secret = server.seed.fleets.find((f) => f.id === 'acme-prod')!.api_keys.find((k) => k.name === 'ci-deploy')!.secret;
  const address = server.relays['acme-prod'];
  const client = new RelayClient({
    address,
    fleetId: 'acme-prod',
    fleetName: 'Acme Production',
    credential: { kind: 'apiKey', source: 'setting', secret, fleetId: 'acme-prod' },
  });
  const sdk = CMDOPClient.remote(secret, { server: address, insecure: true });
  try {
    await sdk.files.setMachine('db-1', false);
    const home = server.homeOf('acme-prod', 'db-1');
    // Homes are made on first use: this call makes db-1's.
    await sdk.files.stat(home);
    const big = join(home, 'data/big.bin');
    writeFileSync(big, Buffer.alloc(BIG_BYTES, 7));
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const o = await timed(() => {
        const files = new MachineFiles(client, 'db-1');
        return readWholeFile((offset, length) => files.read(big, offset, length), 'big.bin');
      });
      const t = await timed(async () => {
        for (let offset = 0, total = Infinity; offset < total;) {
          const part = await sdk.files.read(big, { offset, length: READ_CHUNK_BYTES });
          total = part.totalSize;
          offset += part.content.length;
        }
      });
      if (i > 0) {
        ours.push(o);
        theirs.push(t);
      }
    }
    const [o, t] = [summarize(ours), summarize(theirs)];
    return {
      name: "Read a 50 MiB file from the fleet server through the machine-files reader vs the SDK's files.read",
      value: o.median,
      unit: 'ms',
      baseline: { label: '@cmdop/node files.read, 4 MiB reads one after another', value: t.median },
      note: `medians of ${RUNS} alternating reads after a warm-up; ours min/max ${o.min.toFixed(0)}/${o.max.toFixed(0)} ms, SDK ${t.min.toFixed(0)}/${t.max.toFixed(0)} ms; the fleet server's own file RPCs`,
      detail: { ours, theirs },
    };
  } finally {
    client.close();
    await sdk.close().catch(() => undefined);
    await server.close();
  }
}
