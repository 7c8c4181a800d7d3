// Files on a machine: the upstream File* RPCs through the public SDK `@cmdop/node` unmodified (`client.files.*`),
// each machine confined to its own home folder, Guests read-only, every change audited.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CMDOPClient } from '@cmdop/node';
import { startFleetServer, type FleetServer } from '../../fleet-server/src/index';
import { seededKey, signIn } from './support/fleetHelpers';
import { call, expectStatus, grpc, relayClient, runCommand, type RelayClient } from './support/relayClient';

type Client = ReturnType<typeof CMDOPClient.remote>;

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be refused');
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('machine files through @cmdop/node', () => {
  let server: FleetServer;
  let web: Client;
  let db: Client;
  let relay: RelayClient;
  let home: string;
  let outside: string;
  const clients: Client[] = [];
  const remote = (token: string): Client => {
    const client = CMDOPClient.remote(token, { server: server.relays['acme-prod'], insecure: true });
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startFleetServer();
    web = remote(seededKey(server, 'acme-prod', 'ci-deploy'));
    db = remote(seededKey(server, 'acme-prod', 'ci-deploy'));
    await web.files.setMachine('web-1', false);
    await db.files.setMachine('db-1', false);
    relay = relayClient(server.relays['acme-prod']);
    home = server.homeOf('acme-prod', 'web-1');
    // Something the server must never hand out: a file of this test, outside every home.
    outside = mkdtempSync(join(tmpdir(), 'cmdop-files-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'not for the relay\n');
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    relay?.close();
    await server?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('each machine has its own seeded home, under a private folder; GetSessionByHostname names it', async () => {
    const dbHome = server.homeOf('acme-prod', 'db-1');
    assert.notEqual(home, dbHome);
    const machine = await web.files.setMachine('web-1', false);
    assert.equal(machine.workingDir, home);
    const names = (await web.files.list(home, { includeHidden: true })).entries.map((e) => `${e.type}:${e.name}`).sort();
    for (const wanted of [
      'directory:etc',
      'directory:log',
      'directory:data',
      'directory:cache',
      'directory:.config',
      'symlink:current.log',
    ])
      assert.ok(names.includes(wanted), `${wanted} in ${names.join(', ')}`);
    const webConf = (await web.files.read(`${home}/etc/app.conf`)).content.toString();
    const dbConf = (await db.files.read(`${dbHome}/etc/app.conf`)).content.toString();
    assert.match(webConf, /role = web/);
    assert.match(dbConf, /role = database/);
    assert.equal(
      (await web.files.read(`${home}/etc/timezone`)).content.toString(),
      (await db.files.read(`${dbHome}/etc/timezone`)).content.toString(),
    );
    const root = join(home, '../..');
    const st = lstatSync(root);
    assert.ok(st.isDirectory() && !st.isSymbolicLink());
    assert.equal(st.mode & 0o777, 0o700, 'the homes folder is private to this user');
    assert.equal(st.uid, process.getuid?.());
  });

  it("a machine's shell starts in its home and $HOME names it", async () => {
    const meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'db-1' };
    const { output } = await runCommand(relay, meta, 'echo "pwd=$PWD home=$HOME"; cat ~/etc/app.conf | grep role');
    const dbHome = server.homeOf('acme-prod', 'db-1');
    assert.match(output.toString(), new RegExp(`pwd=${dbHome} home=${dbHome}`));
    assert.match(output.toString(), /role = database/);
  });

  it('stat: type, size, permissions, modified time and symlink target', async () => {
    const conf = await web.files.stat(`${home}/etc/app.conf`);
    assert.equal(conf.type, 'file');
    assert.equal(conf.size, readFileSync(`${home}/etc/app.conf`).length);
    assert.match(conf.permissions, /^[r-][w-][x-]{1}[r-][w-][x-][r-][w-][x-]$/);
    assert.ok(conf.modifiedAt instanceof Date && Math.abs(conf.modifiedAt.getTime() - lstatSync(`${home}/etc/app.conf`).mtimeMs) < 1000);
    const link = await web.files.stat(`${home}/current.log`);
    assert.equal(link.type, 'symlink');
    assert.equal(link.symlinkTarget, 'log/app.log');
    assert.equal((await web.files.stat(`${home}/etc`)).type, 'directory');
    const png = (await web.files.read(`${home}/data/pixel.png`)).content;
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the binary comes back byte for byte');
  });

  it('list pages through the 10,000-entry folder', async () => {
    const seen = new Set<string>();
    let token: string | undefined = '';
    let pages = 0;
    do {
      const page = await web.files.list(`${home}/cache`, { pageSize: 1000, pageToken: token });
      assert.equal(page.totalCount, 10_000);
      for (const entry of page.entries) seen.add(entry.name);
      token = page.nextPageToken;
      pages += 1;
    } while (token);
    assert.equal(pages, 10);
    assert.equal(seen.size, 10_000);
  });

  it('write, mkdir, move, copy and delete change the disk, and each change is audited', async () => {
    const dir = `${home}/work`;
    assert.equal((await web.files.mkdir(dir)).type, 'directory');
    const written = await web.files.write(`${dir}/notes.txt`, 'first line\n');
    assert.equal(written.bytesWritten, 11);
    assert.match((await refusal(web.files.write(`${dir}/notes.txt`, 'again'))).message, /already exists/);
    await web.files.write(`${dir}/notes.txt`, 'second version\n', { overwrite: true });
    assert.equal(readFileSync(`${dir}/notes.txt`, 'utf8'), 'second version\n');
    await web.files.write(`${dir}/deep/er/file.txt`, 'x', { createParents: true });

    const copied = await web.files.copy(`${dir}/notes.txt`, `${dir}/notes-copy.txt`);
    assert.equal(copied.bytesCopied, 15);
    assert.equal(readFileSync(`${dir}/notes-copy.txt`, 'utf8'), 'second version\n');
    const folderCopy = await web.files.copy(`${dir}/deep`, `${home}/deep-copy`, { recursive: true });
    assert.equal(folderCopy.entry.type, 'directory');
    assert.equal(readFileSync(`${home}/deep-copy/er/file.txt`, 'utf8'), 'x');

    const moved = await web.files.move(`${dir}/notes-copy.txt`, `${dir}/renamed.txt`);
    assert.equal(moved.name, 'renamed.txt');
    assert.throws(() => lstatSync(`${dir}/notes-copy.txt`));

    assert.match((await refusal(web.files.delete(dir))).message, /not empty/);
    const deleted = await web.files.delete(dir, { recursive: true });
    assert.deepEqual(deleted, { filesDeleted: 3, dirsDeleted: 3 });
    assert.throws(() => lstatSync(dir));
    assert.match((await refusal(web.files.read(`${dir}/notes.txt`))).message, /no such file/);

    const audit = server.audit('acme-prod').filter((e) => e.action.startsWith('file.'));
    const lines = audit.map((e) => `${e.actor} ${e.action} ${e.target}`);
    for (const wanted of [
      `apikey:ci-deploy file.mkdir web-1:${dir}`,
      `apikey:ci-deploy file.write web-1:${dir}/notes.txt`,
      `apikey:ci-deploy file.copy web-1:${dir}/notes.txt -> ${dir}/notes-copy.txt`,
      `apikey:ci-deploy file.move web-1:${dir}/notes-copy.txt -> ${dir}/renamed.txt`,
      `apikey:ci-deploy file.delete web-1:${dir}`,
    ])
      assert.ok(lines.includes(wanted), `${wanted}\nin:\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => l.includes('file.read') || l.includes('file.list')), 'reads are not changes');
  });

  it('search finds names by glob (SDK) and lines by regular expression (wire)', async () => {
    const found = await web.files.search(home, { pattern: '*.conf' });
    assert.deepEqual(
      found.map((e) => e.path),
      [`${home}/etc/app.conf`],
    );
    const meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'web-1' };
    const { session_id } = await call(relay, 'GetSessionByHostname', { hostname: 'web-1' }, meta);
    const res = await call(relay, 'FileSearch', { session_id, path: home, content_pattern: 'listen = \\S+', max_results: 10 }, meta);
    assert.equal(res.success, true, res.error);
    const hit = res.result.matches.find((m: any) => m.entry.name === 'app.conf');
    assert.equal(hit.match_type, 'MATCH_CONTENT');
    assert.equal(hit.content_matches[0].line_number, 4);
    assert.equal(
      hit.content_matches[0].line.slice(hit.content_matches[0].column_start, hit.content_matches[0].column_end),
      'listen = 0.0.0.0:8080',
    );
    const bad = await call(relay, 'FileSearch', { session_id, path: home, content_pattern: '(' }, meta);
    assert.equal(bad.success, false);
    assert.match(bad.error, /invalid content_pattern/);
  });

  it("paths outside the machine's home are refused: other absolute paths, `..`, symlinks pointing out", async () => {
    symlinkSync(join(outside, 'secret.txt'), `${home}/leak.txt`);
    symlinkSync(outside, `${home}/leak-dir`);
    const dbHome = server.homeOf('acme-prod', 'db-1');
    const attempts: [string, () => Promise<unknown>][] = [
      ['/etc/passwd', () => web.files.read('/etc/passwd')],
      ['.. to db-1', () => web.files.read(`${home}/../db-1/etc/app.conf`)],
      ["db-1's home", () => web.files.list(dbHome)],
      ['relative ..', () => web.files.read('../../../../etc/hostname')],
      ['symlink out', () => web.files.read(`${home}/leak.txt`)],
      ['through a symlinked folder', () => web.files.read(`${home}/leak-dir/secret.txt`)],
      ['list a symlinked folder', () => web.files.list(`${home}/leak-dir`)],
      ['write through a symlink', () => web.files.write(`${home}/leak.txt`, 'owned', { overwrite: true })],
      ['write into a symlinked folder', () => web.files.write(`${home}/leak-dir/new.txt`, 'owned')],
      ['copy out', () => web.files.copy(`${home}/etc/app.conf`, join(outside, 'copied.conf'))],
      ['move out', () => web.files.move(`${home}/README.txt`, join(outside, 'moved.txt'))],
      ['mkdir out', () => web.files.mkdir(join(outside, 'made'))],
      ['delete out', () => web.files.delete(join(outside, 'secret.txt'))],
      ['delete the home', () => web.files.delete(home, { recursive: true })],
    ];
    for (const [what, attempt] of attempts)
      assert.match((await refusal(attempt())).message, /permission denied.*(outside web-1's home|home folder itself)/, what);
    assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'not for the relay\n', 'the outside file is untouched');
    assert.throws(() => lstatSync(join(outside, 'new.txt')));
    assert.throws(() => lstatSync(join(outside, 'copied.conf')));
    assert.ok(lstatSync(`${home}/README.txt`).isFile());
    // The link itself lies in the home: it may be seen and removed, never followed.
    assert.equal((await web.files.stat(`${home}/leak.txt`)).symlinkTarget, join(outside, 'secret.txt'));
    await web.files.delete(`${home}/leak.txt`);
    await web.files.delete(`${home}/leak-dir`);
    assert.ok(lstatSync(join(outside, 'secret.txt')).isFile());
  });

  it('large reads come in chunks under the send limit; a save of 4 MiB less 64 KiB fits, a bigger message is refused whole', async () => {
    const bytes = randomBytes(20 * 1024 * 1024);
    writeFileSync(`${home}/data/big.bin`, bytes);
    const whole = await web.files.read(`${home}/data/big.bin`);
    assert.equal(whole.totalSize, bytes.length);
    assert.equal(whole.isTruncated, true, 'asked for everything, it answers one chunk and says so');
    assert.ok(whole.content.length > 0 && whole.content.length <= 8 * 1024 * 1024);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const part = await web.files.read(`${home}/data/big.bin`, { offset, length: 3 * 1024 * 1024 });
      assert.ok(part.content.length > 0);
      parts.push(part.content);
      offset += part.content.length;
    }
    assert.ok(parts.length >= 7);
    assert.equal(sha(Buffer.concat(parts)), sha(bytes));

    const save = randomBytes(4 * 1024 * 1024 - 64 * 1024);
    await web.files.write(`${home}/data/save.bin`, save);
    assert.equal(sha(readFileSync(`${home}/data/save.bin`)), sha(save));
    const meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'web-1' };
    const { session_id } = await call(relay, 'GetSessionByHostname', { hostname: 'web-1' }, meta);
    await expectStatus(
      call(
        relay,
        'FileWrite',
        { session_id, path: `${home}/data/too-big.bin`, content: randomBytes(5 * 1024 * 1024), overwrite: true },
        meta,
      ),
      grpc.status.RESOURCE_EXHAUSTED,
    );
    assert.throws(() => lstatSync(`${home}/data/too-big.bin`), 'nothing of a refused save is written');
  });

  it('a Guest may list, read and search but never change', async () => {
    const { tokens } = await signIn(server, 'gus@partner.test', 'gus-pass');
    const guest = remote(tokens.access_token);
    await guest.files.setMachine('lab-1', false);
    const labHome = server.homeOf('partner-lab', 'lab-1');
    assert.ok((await guest.files.list(labHome)).entries.some((e) => e.name === 'etc'));
    assert.match((await guest.files.read(`${labHome}/etc/app.conf`)).content.toString(), /lab-1/);
    assert.equal((await guest.files.search(labHome, { pattern: 'app.*' })).length, 2);
    const before = readFileSync(`${labHome}/etc/app.conf`, 'utf8');
    const changes: [string, () => Promise<unknown>][] = [
      ['write', () => guest.files.write(`${labHome}/etc/app.conf`, 'changed', { overwrite: true })],
      ['mkdir', () => guest.files.mkdir(`${labHome}/new`)],
      ['delete', () => guest.files.delete(`${labHome}/README.txt`)],
      ['move', () => guest.files.move(`${labHome}/README.txt`, `${labHome}/moved.txt`)],
      ['copy', () => guest.files.copy(`${labHome}/README.txt`, `${labHome}/copied.txt`)],
    ];
    for (const [what, attempt] of changes)
      assert.match((await refusal(attempt())).message, /observer-only: gus@partner.test has the Guest role.*cannot change files/, what);
    assert.equal(readFileSync(`${labHome}/etc/app.conf`, 'utf8'), before);
    assert.throws(() => lstatSync(`${labHome}/new`));
    assert.ok(lstatSync(`${labHome}/README.txt`).isFile());
    assert.ok(!server.audit('partner-lab').some((e) => e.action.startsWith('file.')), 'nothing changed, nothing audited');
  });

  it('a stopped machine refuses file calls as unavailable; started again, it serves them under its new session', async () => {
    await server.stopMachine('acme-prod', 'db-1');
    const meta = { token: seededKey(server, 'acme-prod', 'ci-deploy'), fleet: 'acme-prod', agent: 'db-1' };
    const old = db.files.getSessionId();
    const dbHome = server.homeOf('acme-prod', 'db-1');
    const err = await expectStatus(
      call(relay, 'FileRead', { session_id: old, path: `${dbHome}/etc/app.conf` }, meta),
      grpc.status.UNAVAILABLE,
    );
    assert.match(err.details, /db-1 in fleet acme-prod is offline/);
    await server.startMachine('acme-prod', 'db-1');
    await expectStatus(call(relay, 'FileRead', { session_id: old, path: `${dbHome}/etc/app.conf` }, meta), grpc.status.NOT_FOUND);
    await db.files.setMachine('db-1', false);
    assert.match((await db.files.read(`${dbHome}/etc/app.conf`)).content.toString(), /role = database/, 'the files outlive the restart');
  });
});

describe('machine files with --upstream-only', () => {
  let server: FleetServer;
  let client: Client;
  before(async () => {
    server = await startFleetServer({ upstreamOnly: true });
    client = CMDOPClient.remote(seededKey(server, 'acme-prod', 'ci-deploy'), { server: server.relays['acme-prod'], insecure: true });
  });
  after(async () => {
    await client?.close().catch(() => undefined);
    await server?.close();
  });

  it('serves the file RPCs, which are upstream wire', async () => {
    await client.files.setMachine('web-1', false);
    const home = server.homeOf('acme-prod', 'web-1');
    await client.files.write(`${home}/etc/upstream.txt`, 'ok\n');
    assert.equal((await client.files.read(`${home}/etc/upstream.txt`)).content.toString(), 'ok\n');
    assert.ok((await client.files.list(`${home}/etc`)).entries.some((e) => e.name === 'upstream.txt'));
  });
});
