// Machine files: the extension's reader (MachineFiles + readWholeFile over RelayClient) vs a bare grpc-js client
// making the same FileRead calls; listing a 10,000-entry folder to its first entries; a 1 MiB save round trip.
// Against a stand-in relay serving a local folder (test/integration/support/folderFileRelay.ts), so the client is
// measured alone; the SDK row (filesSdkFigure.ts) reads from the fleet server's own file RPCs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { readWholeFile, READ_CHUNK_BYTES } from '../../src/core/files/chunkedReader';
import { MachineFiles } from '../../src/core/files/machineFiles';
import { protoPath, RelayClient } from '../../src/core/relay/relayClient';
import { startFolderFileRelay } from '../../test/integration/support/folderFileRelay';
import { filesSdkFigure } from './filesSdkFigure';
import { type Figure, type Summary, summarize, timed } from './stats';

export const RUNS = 5;
export const BIG_BYTES = 50 * 1024 * 1024;

type Unary = (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: any) => void) => void;

/** The same calls the reader makes, by hand: the session looked up once, then FileRead chunk after chunk. */
function bareReader(address: string) {
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const Ctor = (grpc.loadPackageDefinition(definition) as any).terminal.TerminalStreamingService as grpc.ServiceClientConstructor;
  const client = new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  }) as unknown as grpc.Client & Record<string, Unary>;
  const md = new grpc.Metadata();
  md.set('authorization', 'Bearer cmdop_bench');
  md.set('workspace_id', 'acme-prod');
  const call = (method: string, req: object) =>
    new Promise<any>((resolve, reject) => client[method](req, md, (err, res) => (err ? reject(err) : resolve(res))));
  return {
    async read(path: string): Promise<number> {
      const { session_id } = await call('GetSessionByHostname', { hostname: 'web-1' });
      let offset = 0;
      let total = Infinity;
      while (offset < total) {
        const res = await call('FileRead', { session_id, path, offset: String(offset), length: String(READ_CHUNK_BYTES) });
        total = Number(res.result.total_size);
        offset += res.result.content.length;
      }
      return offset;
    },
    close: () => client.close(),
  };
}

function msFigure(name: string, summary: Summary, rest: Omit<Figure, 'name' | 'value' | 'unit'>): Figure {
  return { name, value: summary.median, unit: 'ms', ...rest };
}

export async function filesFigures(): Promise<Figure[]> {
  const home = mkdtempSync(join(tmpdir(), 'cmdop-bench-files-'));
  const big = join(home, 'big.bin');
  writeFileSync(big, Buffer.alloc(BIG_BYTES, 7));
  mkdirSync(join(home, 'many'));
  for (let i = 0; i < 10_000; i++) writeFileSync(join(home, 'many', `entry-${String(i).padStart(5, '0')}.txt`), '');
  const relay = await startFolderFileRelay(home, { maxReceiveBytes: 16 * 1024 * 1024 });
  const target = {
    address: relay.address,
    fleetId: 'acme-prod',
    fleetName: 'Acme Production',
    credential: { kind: 'apiKey' as const, source: 'setting' as const, secret: 'cmdop_bench', fleetId: 'acme-prod' },
  };
  const client = new RelayClient(target);
  const bare = bareReader(relay.address);
  try {
    const reader = { ours: [] as number[], bare: [] as number[] };
    for (let i = 0; i < RUNS + 1; i++) {
      // A fresh MachineFiles each time: the session lookup is part of both sides.
      const o = await timed(() => {
        const files = new MachineFiles(client, 'web-1');
        return readWholeFile((offset, length) => files.read(big, offset, length), 'big.bin');
      });
      const b = await timed(() => bare.read(big));
      if (i > 0) {
        reader.ours.push(o);
        reader.bare.push(b);
      }
    }
    const list: number[] = [];
    const save: number[] = [];
    const oneMiB = Buffer.alloc(1024 * 1024, 65);
    for (let i = 0; i < RUNS + 1; i++) {
      const files = new MachineFiles(client, 'web-1');
      await files.home();
      const l = await timed(() => files.listPage(join(home, 'many')));
      const s = await timed(async () => {
        await files.write(join(home, 'saved.bin'), oneMiB, { overwrite: true });
        await files.stat(join(home, 'saved.bin'));
      });
      if (i > 0) {
        list.push(l);
        save.push(s);
      }
    }
    const [ro, rb, ls, sv] = [summarize(reader.ours), summarize(reader.bare), summarize(list), summarize(save)];
    const spread = (x: Summary, digits: number) => `min/max ${x.min.toFixed(digits)}/${x.max.toFixed(digits)} ms`;
    return [
      msFigure('Read a 50 MiB file through the machine-files reader vs a bare grpc-js client making the same FileRead calls', ro, {
        baseline: { label: 'bare grpc-js, 4 MiB FileReads one after another', value: rb.median },
        goal: { kind: 'max', value: 1.2, of: 'ratio', text: '≤ 1.2× bare grpc-js' },
        note: `medians of ${RUNS} alternating reads after a warm-up (reader: 4 MiB chunks, 4 in flight); ours ${spread(ro, 0)}, bare ${spread(rb, 0)}; stand-in relay serving a local folder`,
        detail: { reader },
      }),
      msFigure('List a 10,000-entry folder on a machine: first page of entries (1,000)', ls, {
        goal: { kind: 'max', value: 300, of: 'value', text: '≤ 300 ms to the first entries' },
        note: `FileListDirectory page of 1000, median of ${RUNS}; ${spread(ls, 1)}`,
        detail: { list },
      }),
      msFigure('Save a 1 MiB file on a machine (FileWrite, then FileGetInfo as the editor does)', sv, {
        note: `median of ${RUNS}; ${spread(sv, 1)}; the stand-in relay takes 16 MiB messages (the fleet server's limit is 4 MiB)`,
        detail: { save },
      }),
      await filesSdkFigure(),
    ];
  } finally {
    client.close();
    bare.close();
    relay.close();
    rmSync(home, { recursive: true, force: true });
  }
}
