import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileLease } from '../../src/core/oauth/fileLease';
import { SecretPeers } from '../../src/core/windows/secretPeers';
import { MemorySecrets } from './support/memory';

const until = async (what: string, check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(await check(), `timed out waiting for ${what}`);
};

describe('windows whose SecretStorage is not shared live (code-server pages)', () => {
  it("a value written in one window reaches the other window's own storage, with its change event", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peers-'));
    const [storeA, storeB] = [new MemorySecrets(), new MemorySecrets()];
    const a = new SecretPeers(storeA, dir);
    const b = new SecretPeers(storeB, dir);
    await Promise.all([a.start(), b.start()]);
    const seenByB: string[] = [];
    storeB.onDidChange((e) => seenByB.push(e.key));
    try {
      await a.store('cmdop.oauth.dev', '{"accessToken":"t1"}');
      await until('B to receive the session', async () => (await b.get('cmdop.oauth.dev')) === '{"accessToken":"t1"}');
      await until('B to announce it', () => seenByB.includes('cmdop.oauth.dev'));
      await b.delete('cmdop.oauth.dev');
      await until('A to see the sign-out', async () => (await a.get('cmdop.oauth.dev')) === undefined);
      await a.store('other.extension', 'x');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(await b.get('other.extension'), undefined, "only CMDOP's own entries travel");
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('a window that closed without cleaning up does not break the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peers-'));
    const gone = new SecretPeers(new MemorySecrets(), dir);
    await gone.start();
    (gone as unknown as { server: { close(): void } }).server.close();
    const a = new SecretPeers(new MemorySecrets(), dir);
    await a.start();
    try {
      await a.store('cmdop.apiKeys', '[]');
      assert.equal(await a.get('cmdop.apiKeys'), '[]');
    } finally {
      a.dispose();
    }
  });
});

describe('peer folders of windows that are gone', () => {
  it('are removed after an hour untouched when no socket in them answers; live, recent or foreign folders stay', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'peers-parent-'));
    const folder = (name: string, files: string[] = []) => {
      const dir = join(parent, `cmdop-peers-${process.getuid?.() ?? 0}-${name}`);
      mkdirSync(dir);
      // A killed window leaves its socket file with nobody listening; an empty file answers the same way.
      for (const file of files) writeFileSync(join(dir, file), '');
      return dir;
    };
    const gone = folder('gone', ['1a2b3c4d.sock', 'refresh-dev.lock']);
    const recent = folder('recent', ['5e6f7a8b.sock']);
    const foreign = folder('foreign', ['9c0d1e2f.sock', 'notes.txt']);
    const live = folder('live', ['3a4b5c6d.sock']);
    const listener = createServer();
    await new Promise<void>((done) => listener.listen(join(live, 'e7f8a9b0.sock'), done));
    const otherUser = join(parent, 'cmdop-peers-99999-x');
    mkdirSync(otherUser);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const dir of [gone, foreign, live, otherUser]) utimesSync(dir, twoHoursAgo, twoHoursAgo);
    try {
      assert.deepEqual(await SecretPeers.sweepStale(join(parent, 'cmdop-peers-0-own')), [gone]);
      assert.ok(!existsSync(gone));
      for (const kept of [recent, foreign, live, otherUser]) assert.ok(existsSync(kept), `${kept} was removed`);
    } finally {
      listener.close();
    }
  });
});

describe('refresh election through a lock file', () => {
  it('exactly one of many claimants wins; the lease can be claimed again after release or when it lapsed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lease-')), 'refresh.lock');
    const lease = new FileLease(path);
    const wins = await Promise.all(['A', 'B', 'C', 'D'].map((w) => lease.claim(w, 1000, 15_000)));
    assert.equal(wins.filter(Boolean).length, 1);
    const winner = ['A', 'B', 'C', 'D'][wins.indexOf(true)];
    assert.equal(await lease.claim('B2', 2000, 15_000), false, 'held');
    await lease.release(winner);
    assert.equal(await lease.claim('B2', 2000, 15_000), true, 'free after release');
    assert.equal(await lease.claim('C2', 2000 + 16_000, 15_000), true, 'a lapsed lease is broken');
  });
});
