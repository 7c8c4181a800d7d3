// No seeded name is ever evaluated by a shell: a machine whose hostname is shell syntax gets a prompt that shows
// the name as it is, prompt after prompt, and nothing in the name runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SEED_PATH, startFleetServer, type FleetServer, type Seed } from '../../fleet-server/src/index';
import { seededKey } from './support/fleetHelpers';
import { call, readOutputStream, relayClient, type CallMeta, type RelayClient } from './support/relayClient';

const folder = mkdtempSync(join(tmpdir(), 'cmdop-hostile-'));
/** Where each hostile name would create a file if a shell evaluated it. */
const victims = { substitution: join(folder, `pwned-${randomUUID()}`), backticks: join(folder, `pwned-${randomUUID()}`) };
const HOSTILE = {
  substitution: `$(touch ${victims.substitution})`,
  backticks: `\`touch ${victims.backticks}\``,
};

const occurrences = (text: string, literal: string) => text.split(literal).length - 1;

describe('a seeded hostname that is shell syntax', () => {
  let server: FleetServer;
  let relay: RelayClient;
  let meta: CallMeta;

  before(async () => {
    const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as Seed;
    const fleet = seed.fleets.find((f) => f.id === 'acme-prod')!;
    for (const hostname of Object.values(HOSTILE)) fleet.machines.push({ ...fleet.machines[0], hostname, name: hostname, online: true });
    const seedPath = join(folder, 'seed.json');
    writeFileSync(seedPath, JSON.stringify(seed));
    server = await startFleetServer({ seedPath });
    relay = relayClient(server.relays['acme-prod']);
    meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod' };
  });
  after(async () => {
    relay?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  for (const [kind, hostname] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    it(`(${kind}) is printed literally in every prompt of a shell there and never run`, async () => {
      const listed = await call(relay, 'ListSessions', { limit: 1000 }, meta);
      const machine = listed.sessions.find((s: { machine_hostname: string }) => s.machine_hostname === hostname);
      assert.ok(machine, `${hostname} is listed`);
      const prompt = `@${hostname}:`;
      // The first prompt, then one after each of the two commands: three prompts, each expanded afresh by bash.
      const seen = readOutputStream(relay, machine.session_id, meta, {
        until: (text) => occurrences(text.toString(), prompt) >= 3 && /second-done/.test(text.toString()),
      });
      await call(relay, 'SendInput', { session_id: machine.session_id, data: Buffer.from('echo first-"done"\n') }, meta);
      await call(
        relay,
        'SendInput',
        { session_id: machine.session_id, data: Buffer.from('echo "host=$HOSTNAME"; echo second-"done"\n') },
        meta,
      );
      const text = (await seen).output.toString();
      assert.ok(occurrences(text, prompt) >= 3, text);
      assert.ok(text.includes(`host=${hostname}`), 'the variable holds the name as it is');
      assert.equal(existsSync(victims[kind]), false, `${hostname} was evaluated by the shell`);
    });
  }
});
