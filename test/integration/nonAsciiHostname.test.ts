// A machine whose hostname is not ASCII is reached like any other: grpc-js refuses such text in metadata, so the
// extension sends it as UTF-8 bytes; the shell and the command run on the machine named.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SEED_PATH, startFleetServer, type FleetServer, type Seed } from '../../fleet-server/src/index';
import { runCommand } from '../../src/core/relay/commandRun';
import type { RelayClient } from '../../src/core/relay/relayClient';
import { RemoteSession } from '../../src/core/relay/remoteSession';
import { acmeProdClient } from './support/acmeProdClient';

const HOSTNAMES = ['сервер-1', '웹-서버'];

describe('a machine with a non-ASCII hostname', () => {
  let folder: string;
  let server: FleetServer;
  let client: RelayClient;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'cmdop-names-'));
    const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as Seed;
    const fleet = seed.fleets.find((f) => f.id === 'acme-prod')!;
    for (const hostname of HOSTNAMES) fleet.machines.push({ ...fleet.machines[0], hostname, name: hostname, online: true });
    const seedPath = join(folder, 'seed.json');
    writeFileSync(seedPath, JSON.stringify(seed));
    server = await startFleetServer({ seedPath });
    client = acmeProdClient(server);
  });
  after(async () => {
    client?.close();
    await server?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  for (const hostname of HOSTNAMES) {
    it(`runs a command on ${hostname}: its output and exit code`, async () => {
      const chunks: Buffer[] = [];
      const result = await runCommand(client, hostname, 'echo "on=$HOSTNAME"; exit 3', { onOutput: (d) => chunks.push(Buffer.from(d)) });
      assert.equal(result.exitCode, 3);
      assert.match(Buffer.concat(chunks).toString(), new RegExp(`on=${hostname}`));
    });

    it(`opens a shell on ${hostname}`, async () => {
      const session = await RemoteSession.open(client, hostname, { cols: 80, rows: 24 });
      let text = '';
      session.onOutput((d) => (text += Buffer.from(d).toString()));
      const exited = new Promise<{ code: number }>((resolve, reject) => {
        session.onExit(resolve);
        session.onDisconnect(reject);
      });
      await session.write(Buffer.from('echo "shell=$HOSTNAME"; exit 4\r'));
      const exit = await exited;
      assert.equal(exit.code, 4);
      assert.match(text, new RegExp(`shell=${hostname}`));
    });
  }
});
