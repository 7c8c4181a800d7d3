// Other local users cannot reach this user's state: folders under the temp directory are ours and 0700 or are
// not used, nothing is written through a symlink, and a FIFO or device where a file is read is never waited on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FleetKeyStore } from '../../src/core/credentials/fleetKeys';
import { LegacyImporter } from '../../src/core/credentials/legacyImport';
import { FileLease } from '../../src/core/oauth/fileLease';
import { choosePrivateFolder, ensurePrivateFolder, judgeFolder, UnsafeFolderError } from '../../src/core/windows/privateFolder';
import { NotARegularFileError, readRegularFileSync } from '../../src/core/windows/regularFile';
import { SecretPeers } from '../../src/core/windows/secretPeers';
import { MemorySecrets, MemoryState } from './support/memory';

const uid = process.getuid?.();
const isRoot = uid === 0;
const NOBODY = 65534;
/** A guard so a regression that waits on a FIFO fails the test instead of hanging the run. */
const NO_HANG = { timeout: 20_000 };

const scratch = () => mkdtempSync(join(tmpdir(), 'cmdop-private-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;
const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
const until = async (what: string, check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(await check(), `timed out waiting for ${what}`);
};

describe('whether a temp folder is private', () => {
  const dir = { isSymbolicLink: false, isDirectory: true, uid: 1000, mode: 0o40700 };
  it('is a real folder of this user with no access for group or others', () => {
    assert.deepEqual(judgeFolder(dir, 1000), { usable: true });
  });
  it('is not a symlink, a file, a folder of another user, or a folder others can enter', () => {
    assert.match(reason(judgeFolder({ ...dir, isSymbolicLink: true, isDirectory: false }, 1000)), /symbolic link/);
    assert.match(reason(judgeFolder({ ...dir, isDirectory: false }, 1000)), /not a folder/);
    assert.match(reason(judgeFolder({ ...dir, uid: NOBODY }, 1000)), /another user \(uid 65534\)/);
    assert.match(reason(judgeFolder({ ...dir, mode: 0o40755 }, 1000)), /open to other users \(mode 0755\)/);
    assert.match(reason(judgeFolder({ ...dir, mode: 0o40710 }, 1000)), /mode 0710/);
  });
  it('without POSIX owners (Windows) any real folder will do', () => {
    assert.deepEqual(judgeFolder({ ...dir, uid: 0, mode: 0o40777 }, undefined), { usable: true });
  });
});

function reason(verdict: ReturnType<typeof judgeFolder>): string {
  assert.equal(verdict.usable, false);
  return verdict.usable ? '' : verdict.reason;
}

describe('choosing the peer folder', () => {
  it('creates it 0700 whatever the umask', () => {
    const base = join(scratch(), 'cmdop-peers-x');
    const previous = process.umask(0);
    try {
      assert.equal(choosePrivateFolder(base), base);
    } finally {
      process.umask(previous);
    }
    assert.equal(modeOf(base), 0o700);
    assert.equal(choosePrivateFolder(base), base, 'the same folder again for the next window');
  });

  it('passes over a folder open to others (0755) and leaves it as it was', () => {
    const base = join(scratch(), 'cmdop-peers-x');
    mkdirSync(base);
    chmodSync(base, 0o755);
    assert.equal(choosePrivateFolder(base), `${base}-1`);
    assert.equal(modeOf(base), 0o755);
    assert.equal(modeOf(`${base}-1`), 0o700);
  });

  it('passes over a symlink, even to a private folder of ours, and puts nothing there', () => {
    const root = scratch();
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    const base = join(root, 'cmdop-peers-x');
    symlinkSync(elsewhere, base);
    assert.equal(choosePrivateFolder(base), `${base}-1`);
    assert.throws(() => ensurePrivateFolder(base), UnsafeFolderError);
  });

  it('passes over a folder another user owns, though it is 0700', { skip: !isRoot && 'needs root to chown a folder' }, () => {
    const base = join(scratch(), 'cmdop-peers-x');
    mkdirSync(base, { mode: 0o700 });
    chownSync(base, NOBODY, NOBODY);
    assert.equal(choosePrivateFolder(base), `${base}-1`);
    assert.equal(statSync(base).uid, NOBODY, 'not taken over either');
  });

  it('fails with the folders in the way and what to do when every name is taken', () => {
    const base = join(scratch(), 'cmdop-peers-x');
    for (const name of [base, `${base}-1`, `${base}-2`, `${base}-3`]) writeFileSync(name, '');
    assert.throws(
      () => choosePrivateFolder(base),
      (err: Error) =>
        err instanceof UnsafeFolderError &&
        err.message.includes(`${base}-3 is not a folder`) &&
        /Remove them .*TMPDIR.*reload/.test(err.message),
    );
  });
});

describe('a peer folder another user made', () => {
  it(
    "never receives this window's secrets: they go only to the peers in the private folder chosen instead",
    { skip: !isRoot && 'needs root to chown a folder' },
    async () => {
      const base = join(scratch(), 'cmdop-peers-x');
      mkdirSync(base, { mode: 0o700 });
      // The other user's "window" listens in the folder they own, waiting for secrets.
      let trapConnections = 0;
      const trap = createServer((socket) => (trapConnections++, socket.destroy()));
      await new Promise<void>((done) => trap.listen(join(base, 'trap0000.sock'), done));
      chownSync(base, NOBODY, NOBODY);
      const folder = choosePrivateFolder(base);
      assert.notEqual(folder, base);
      const [storeA, storeB] = [new MemorySecrets(), new MemorySecrets()];
      const a = new SecretPeers(storeA, folder);
      const b = new SecretPeers(storeB, folder);
      await Promise.all([a.start(), b.start()]);
      try {
        await a.store('cmdop.oauth.dev', '{"accessToken":"secret"}');
        await until('the real peer to receive it', async () => (await storeB.get('cmdop.oauth.dev')) !== undefined);
        assert.equal(trapConnections, 0);
      } finally {
        a.dispose();
        b.dispose();
        trap.close();
      }
    },
  );

  it('a window whose folder turned into a symlink does not listen there', async () => {
    const root = scratch();
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    const dir = join(root, 'peers');
    symlinkSync(elsewhere, dir);
    await assert.rejects(new SecretPeers(new MemorySecrets(), dir).start(), UnsafeFolderError);
  });
});

describe('the refresh lease in the peer folder', () => {
  it('is never written through a symlink planted at its paths', async () => {
    const dir = scratch();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const path = join(dir, 'refresh-dev.lock');
    symlinkSync(victim, path);
    symlinkSync(victim, `${path}.rotated.${process.pid}`);
    const lease = new FileLease(path);
    assert.equal(await lease.claim('A', Date.now(), 15_000), false, 'a fresh link counts as held, and is not read through');
    await lease.markRotated('fp1');
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.equal(await lease.wasRotated('fp1'), true, 'the rotation list went to its own new file');
  });

  it('is not waited on when its paths are FIFOs', NO_HANG, async () => {
    const dir = scratch();
    const path = join(dir, 'refresh-dev.lock');
    mkfifo(path);
    mkfifo(`${path}.rotated`);
    const lease = new FileLease(path);
    assert.equal(await lease.wasRotated('fp1'), false);
    assert.equal(await lease.claim('A', Date.now(), 15_000), false, 'an unreadable fresh lock counts as held');
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
    utimesSync(path, anHourAgo, anHourAgo);
    assert.equal(await lease.claim('A', Date.now(), 15_000), true, 'an unreadable old lock is broken');
    assert.ok(statSync(path).isFile());
  });
});

describe('reading a file others could have replaced', () => {
  it('refuses a FIFO and a device without opening them, and a symlink where links are refused', NO_HANG, () => {
    const dir = scratch();
    const fifo = join(dir, 'fifo');
    mkfifo(fifo);
    const link = join(dir, 'link');
    writeFileSync(join(dir, 'real'), 'text');
    symlinkSync(join(dir, 'real'), link);
    const read = (path: string, followLinks = true) => readRegularFileSync(path, { followLinks, maxBytes: 100 });
    assert.throws(
      () => read(fifo),
      (err: Error) => err instanceof NotARegularFileError && /FIFO/.test(err.message),
    );
    assert.throws(
      () => read('/dev/zero'),
      (err: Error) => err instanceof NotARegularFileError && /a device/.test(err.message),
    );
    assert.equal(read(link), 'text');
    assert.throws(() => read(link, false), NotARegularFileError);
    writeFileSync(join(dir, 'big'), 'x'.repeat(101));
    assert.throws(() => read(join(dir, 'big')), /more than the 100/);
  });
});

describe('the legacy ssh_workspaces.json import', () => {
  const FILE = JSON.stringify({ workspaces: [{ name: 'prod', workspace_id: 'f-prod', api_key: 'cmdop_legacyAAAAAAAAAAAAAAAAAAAAAAAA' }] });
  const importer = (candidates: string[], log: string[]) => {
    const state = new MemoryState();
    return new LegacyImporter({
      state,
      keys: new FleetKeyStore(new MemorySecrets(), state),
      candidates,
      confirm: async () => true,
      setActiveFleet: async () => undefined,
      log: (line) => log.push(line),
    });
  };

  it('skips a FIFO or a device at a candidate path with a message once, and imports the next real file', NO_HANG, async () => {
    const dir = scratch();
    const fifo = join(dir, 'ssh_workspaces.json');
    mkfifo(fifo);
    const real = join(dir, 'real.json');
    writeFileSync(real, FILE, { mode: 0o600 });
    const log: string[] = [];
    const result = await importer([fifo, '/dev/zero', real], log).importOnce();
    assert.equal(result?.fleetId, 'f-prod');
    assert.ok(
      log.some((line) => line.includes(`${fifo} is a FIFO (named pipe), not a regular file`) && /remove it/.test(line)),
      log.join('\n'),
    );
    assert.ok(log.some((line) => line.includes('/dev/zero is a device')));
  });

  it('with only a FIFO there, finds nothing and says so once however often it is asked', NO_HANG, async () => {
    const fifo = join(scratch(), 'ssh_workspaces.json');
    mkfifo(fifo);
    const log: string[] = [];
    const legacy = importer([fifo], log);
    assert.equal(await legacy.importOnce(), undefined);
    assert.equal(await legacy.importOnce(), undefined);
    assert.equal(log.length, 1);
    assert.ok(existsSync(fifo), 'left as it is');
  });
});
