import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LegacyFileError } from '../../src/core/errors';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { LegacyImporter, legacyCandidates } from '../../src/core/credentials/legacyImport';
import { MemorySecrets, MemoryState } from './support/memory';

const KEY_A = 'cmdop_legacyAAAAAAAAAAAAAAAAAAAAAAAA';
const KEY_B = 'cmdop_legacyBBBBBBBBBBBBBBBBBBBBBBBB';

async function setup(content: string | undefined, answer = true) {
  const dir = await mkdtemp(join(tmpdir(), 'cmdop-legacy-'));
  const path = join(dir, 'ssh_workspaces.json');
  if (content !== undefined) await writeFile(path, content, { mode: 0o600 });
  const secrets = new MemorySecrets();
  const state = new MemoryState();
  const keys = new FleetKeyStore(secrets, state);
  let asked = 0;
  let active: string | undefined;
  const importer = new LegacyImporter({
    state,
    keys,
    candidates: [join(dir, 'missing', 'ssh_workspaces.json'), path],
    confirm: async () => {
      asked++;
      return answer;
    },
    setActiveFleet: async (id) => {
      active = id;
    },
    log: () => {},
  });
  return { importer, keys, secrets, state, path, asked: () => asked, active: () => active };
}

const FILE = JSON.stringify({
  active: 'staging',
  workspaces: [
    { name: 'prod', workspace_id: 'f-prod', api_key: KEY_A, server: '127.0.0.1:9999' },
    { name: 'staging', workspace_id: 'f-staging', api_key: KEY_B },
  ],
});

describe('legacy ssh_workspaces.json import', () => {
  it("copies every key into SecretStorage once, makes the file's active fleet active, and leaves the file untouched", async () => {
    const t = await setup(FILE);
    const first = await t.importer.importOnce();
    assert.deepEqual(first, { fleetId: 'f-staging', secret: KEY_B });
    assert.equal(t.active(), 'f-staging');
    assert.equal(await t.keys.secretFor('f-prod'), KEY_A);
    assert.equal(t.keys.find('prod')?.relay, '127.0.0.1:9999');
    assert.equal(await readFile(t.path, 'utf8'), FILE);
    const stateText = JSON.stringify([...t.state.values]);
    assert.ok(!stateText.includes(KEY_A) && !stateText.includes(KEY_B), 'no secret in globalState');

    assert.equal(await t.importer.importOnce(), undefined, 'never read again');
    assert.equal(t.asked(), 1);
  });

  it('a declined offer is never offered again and stores nothing', async () => {
    const t = await setup(FILE, false);
    assert.equal(await t.importer.importOnce(), undefined);
    assert.equal(await t.importer.importOnce(), undefined);
    assert.equal(t.asked(), 1);
    assert.equal(t.secrets.values.size, 0);
  });

  it('no file: nothing offered, and a file that appears later is still offered', async () => {
    const t = await setup(undefined);
    assert.equal(await t.importer.importOnce(), undefined);
    assert.equal(t.asked(), 0);
    await writeFile(t.path, FILE);
    assert.ok(await t.importer.importOnce());
  });

  it('a broken file gets a clear error that says the file was left untouched', async () => {
    const t = await setup('{ not json');
    await assert.rejects(t.importer.importOnce(), (err: Error) => err instanceof LegacyFileError && /left untouched/.test(err.message));
    assert.equal(await readFile(t.path, 'utf8'), '{ not json');
  });

  it('looks in CMDOP_CONFIG_DIR first', () => {
    assert.equal(legacyCandidates({ CMDOP_CONFIG_DIR: '/x' }, '/home/u')[0], '/x/ssh_workspaces.json');
  });
});
