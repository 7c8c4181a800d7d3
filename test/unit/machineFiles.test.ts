import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FileTooLargeToWriteError, MachineFileError } from '../../src/core/errors';
import { FanOut } from '../../src/core/fanOut/fanOut';
import { type Snapshot, ChangeWatcher, diffSnapshots } from '../../src/core/files/changeWatcher';
import { readWholeFile } from '../../src/core/files/chunkedReader';
import { compareResults, comparisonSummary, FileReadRunner } from '../../src/core/files/compareFiles';
import { FileKind, READONLY_PERMISSION, toFileStat, type WireFileEntry } from '../../src/core/files/fileEntry';
import { kindOfError } from '../../src/core/files/fileErrors';
import { type FileRpc, MachineFiles } from '../../src/core/files/machineFiles';
import { expandHome, locationOf, resolveLinkTarget, uriPathOf } from '../../src/core/files/machineUri';
import { filenameGlob, searchHits } from '../../src/core/files/searchResults';
import { RelayCallError } from '../../src/core/relay/relayErrors';

/** A machine's files in memory behind the upstream file RPCs, recording every call. */
class FakeRelay implements FileRpc {
  readonly target = { fleetName: 'acme-prod' };
  calls: { method: string; request: Record<string, unknown> }[] = [];
  online = true;
  /** The machine's agent session id: a restart gives it a new one. */
  sessionId = 'sess-1';
  /** Largest FileRead answer, as an agent that caps its answers. */
  readCap = Number.POSITIVE_INFINITY;

  constructor(readonly files: Map<string, Buffer>) {}

  call<T>(method: string, request: object): Promise<T> {
    const req = request as Record<string, unknown>;
    this.calls.push({ method, request: req });
    if (method === 'GetSessionByHostname')
      return Promise.resolve({
        found: this.online,
        session_id: this.sessionId,
        status: 'connected',
        working_directory: '/home/web-1',
      } as T);
    if (!this.online) return Promise.reject(new RelayCallError(14, 'machine is offline'));
    if (req.session_id !== this.sessionId) return Promise.reject(new RelayCallError(5, `no session ${String(req.session_id)}`));
    const path = String(req.path);
    const content = this.files.get(path);
    if (method === 'FileRead') {
      if (!content) return Promise.resolve({ success: false, error: `open ${path}: no such file or directory` } as T);
      const offset = Number(req.offset);
      const length = Math.min(Number(req.length) || content.length, this.readCap);
      return Promise.resolve({
        success: true,
        error: '',
        result: { content: content.subarray(offset, offset + length), total_size: String(content.length) },
      } as T);
    }
    if (method === 'FileWrite') {
      this.files.set(path, req.content as Buffer);
      return Promise.resolve({ success: true, error: '', result: {} } as T);
    }
    return Promise.resolve({ success: false, error: 'permission denied' } as T);
  }
}

const entry = (over: Partial<WireFileEntry>): WireFileEntry => ({
  name: 'app.conf',
  path: '/home/web-1/etc/app.conf',
  type: 'STREAM_FILE',
  size: '12',
  permissions: 'rw-r--r--',
  modified_at: { seconds: '1700000000', nanos: 500_000_000 },
  is_writable: true,
  ...over,
});

describe('machine file URIs', () => {
  test('cmdop://<fleet>/<host>/<path> splits into fleet, machine and absolute path, and back', () => {
    const loc = locationOf('fleet-1', '/web-1/home/web-1/etc/app.conf');
    assert.deepEqual(loc, { fleetId: 'fleet-1', hostname: 'web-1', path: '/home/web-1/etc/app.conf' });
    assert.equal(uriPathOf(loc), '/web-1/home/web-1/etc/app.conf');
    assert.deepEqual(locationOf('fleet-1', '/web-1'), { fleetId: 'fleet-1', hostname: 'web-1', path: '/' });
    assert.equal(uriPathOf({ hostname: 'web-1', path: '/' }), '/web-1/');
  });

  test('a URI without a fleet or machine is refused with the expected shape', () => {
    assert.throws(() => locationOf('', '/web-1/etc'), /cmdop:\/\/<fleet id>\/<hostname>\/<path/);
    assert.throws(() => locationOf('fleet-1', '/'), /is not a CMDOP machine file/);
  });

  test('typed paths: ~ is the home, relative paths are under it; link targets from the link folder', () => {
    assert.equal(expandHome('~/etc/app.conf', '/home/web-1'), '/home/web-1/etc/app.conf');
    assert.equal(expandHome('logs', '/home/web-1'), '/home/web-1/logs');
    assert.equal(expandHome('/etc//nginx/', '/home/web-1'), '/etc/nginx');
    assert.equal(resolveLinkTarget('/home/web-1/current', 'etc/app.conf'), '/home/web-1/etc/app.conf');
    assert.equal(resolveLinkTarget('/home/web-1/current', '/var/log'), '/var/log');
  });
});

describe('stat mapping', () => {
  test('a file: type, size and mtime in ms; writable unless the user is a guest', () => {
    const stat = toFileStat(entry({}), { readonly: false });
    assert.deepEqual(stat, { type: FileKind.File, ctime: 1700000000500, mtime: 1700000000500, size: 12 });
    assert.equal(toFileStat(entry({}), { readonly: true }).permissions, READONLY_PERMISSION);
    assert.equal(toFileStat(entry({ is_writable: false }), { readonly: false }).permissions, READONLY_PERMISSION);
  });

  test('a symlink is a link and its target type', () => {
    const link = entry({ type: 'STREAM_SYMLINK', symlink_target: 'etc' });
    assert.equal(toFileStat(link, { readonly: false, targetKind: FileKind.Directory }).type, FileKind.SymbolicLink | FileKind.Directory);
    assert.equal(toFileStat(link, { readonly: false }).type, FileKind.SymbolicLink);
    assert.equal(toFileStat(entry({ type: 'STREAM_DIRECTORY' }), { readonly: false }).type, FileKind.Directory);
  });
});

describe('error kinds', () => {
  test('gRPC statuses and agent texts map to FileSystemError kinds', () => {
    assert.equal(kindOfError(new RelayCallError(5, 'x')), 'FileNotFound');
    assert.equal(kindOfError(new RelayCallError(14, 'x')), 'Unavailable');
    assert.equal(kindOfError(new RelayCallError(7, 'x')), 'NoPermissions');
    assert.equal(kindOfError(new Error('open /x: no such file or directory')), 'FileNotFound');
    assert.equal(kindOfError(new Error('mkdir /x: file already exists')), 'FileExists');
    assert.equal(kindOfError(new Error('/x is not a directory')), 'FileNotADirectory');
    assert.equal(kindOfError(new Error('path is outside the home folder')), 'NoPermissions');
    assert.equal(kindOfError(new Error('something odd')), 'Other');
  });
});

describe('MachineFiles', () => {
  test('every call carries the machine session id; an in-band error becomes a typed error naming the path', async () => {
    const relay = new FakeRelay(new Map());
    const files = new MachineFiles(relay, 'web-1');
    await assert.rejects(files.read('/home/web-1/nope', 0, 10), (err: MachineFileError) => {
      assert.equal(err.kind, 'FileNotFound');
      assert.match(err.message, /web-1:\/home\/web-1\/nope: .*no such file/);
      return true;
    });
    assert.equal(await files.home(), '/home/web-1');
  });

  test('a write bigger than one relay message is refused before anything is sent, saying the limit', async () => {
    const relay = new FakeRelay(new Map());
    const files = new MachineFiles(relay, 'web-1', 1024);
    await assert.rejects(files.write('/home/web-1/big.bin', new Uint8Array(4096), { overwrite: true }), (err: Error) => {
      assert.ok(err instanceof FileTooLargeToWriteError);
      assert.match(err.message, /4 KiB.*at most 1 KiB.*not saved \(nothing was cut or written\)/);
      return true;
    });
    assert.equal(relay.calls.filter((c) => c.method === 'FileWrite').length, 0);
    await files.write('/home/web-1/small', Buffer.from('ok'), { overwrite: true });
    assert.equal(relay.files.get('/home/web-1/small')?.toString(), 'ok');
  });

  test('an offline machine is Unavailable, and the next call after it is back succeeds (session looked up again)', async () => {
    const relay = new FakeRelay(new Map([['/f', Buffer.from('hello')]]));
    const files = new MachineFiles(relay, 'web-1');
    relay.online = false;
    await assert.rejects(
      files.read('/f', 0, 0),
      (err: MachineFileError) => err.kind === 'Unavailable' && /start the machine's agent/i.test(err.message),
    );
    relay.online = true;
    assert.equal((await files.read('/f', 0, 0)).content.toString(), 'hello');
  });

  test('a machine restarted unobserved (its session id unknown to the relay) is looked up again once; a missing file is not', async () => {
    const relay = new FakeRelay(new Map([['/f', Buffer.from('hello')]]));
    const files = new MachineFiles(relay, 'web-1');
    assert.equal((await files.read('/f', 0, 0)).content.toString(), 'hello');
    relay.sessionId = 'sess-2';
    assert.equal((await files.read('/f', 0, 0)).content.toString(), 'hello');
    assert.equal(relay.calls.filter((c) => c.method === 'GetSessionByHostname').length, 2);
    await assert.rejects(files.read('/missing', 0, 0), (err: MachineFileError) => err.kind === 'FileNotFound');
    assert.equal(relay.calls.filter((c) => c.method === 'GetSessionByHostname').length, 2, 'an in-band "no such file" keeps the session');
  });
});

describe('chunked reads', () => {
  test('a file bigger than a chunk is read in chunks and put together byte for byte, also when the agent answers short', async () => {
    const content = Buffer.alloc(1_000_003);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 251;
    const relay = new FakeRelay(new Map([['/big.bin', content]]));
    relay.readCap = 70_000;
    const files = new MachineFiles(relay, 'web-1');
    const progress: number[] = [];
    const whole = await readWholeFile((o, l) => files.read('/big.bin', o, l), 'web-1:/big.bin', {
      chunkBytes: 100_000,
      concurrency: 3,
      onProgress: (read) => progress.push(read),
    });
    assert.ok(Buffer.from(whole).equals(content));
    assert.ok(relay.calls.filter((c) => c.method === 'FileRead').length > 10);
    assert.equal(progress.at(-1), content.length);
    const askedLengths = relay.calls.filter((c) => c.method === 'FileRead').map((c) => Number(c.request.length));
    assert.ok(askedLengths.every((l) => l <= 100_000));
  });

  test('a file that shrinks while read fails instead of coming back short', async () => {
    let calls = 0;
    await assert.rejects(
      readWholeFile(
        async (offset) => ({ content: Buffer.alloc(calls++ === 0 ? 10 : 0), total_size: '30', is_truncated: offset === 0 }),
        'x',
        { chunkBytes: 10 },
      ),
      /got shorter while it was read/,
    );
  });
});

describe('change watcher', () => {
  const dir = (entries: [string, string][]): Snapshot => ({ kind: 'dir', entries: new Map(entries) });

  test('children created, changed and deleted between polls are announced once', async () => {
    let now = dir([['cmdop://f/web-1/h/a', '1']]);
    const watcher = new ChangeWatcher(() => Promise.resolve(now), 60_000);
    const seen: string[] = [];
    watcher.onDidChange((changes) => seen.push(...changes.map((c) => `${c.kind} ${c.key}`)));
    const watch = watcher.watch('cmdop://f/web-1/h', true);
    await watcher.pollOnce();
    assert.deepEqual(seen, []);
    now = dir([
      ['cmdop://f/web-1/h/a', '2'],
      ['cmdop://f/web-1/h/new.txt', '1'],
    ]);
    await watcher.pollOnce();
    assert.deepEqual(seen, ['changed cmdop://f/web-1/h/a', 'created cmdop://f/web-1/h/new.txt']);
    watch.dispose();
    assert.deepEqual(watcher.polled, []);
    assert.equal(watcher.active, false);
    watcher.dispose();
  });

  test('only what is watched or shown under a recursive watch is polled; unfocused pauses', () => {
    const watcher = new ChangeWatcher(() => Promise.resolve(undefined), 60_000);
    watcher.watch('cmdop://f/web-1/h', true);
    watcher.seen('cmdop://f/web-1/h/etc', dir([]));
    watcher.seen('cmdop://f/db-1/h/etc', dir([]));
    assert.deepEqual(watcher.polled.sort(), ['cmdop://f/web-1/h', 'cmdop://f/web-1/h/etc']);
    assert.equal(watcher.active, true);
    watcher.setFocused(false);
    assert.equal(watcher.active, false);
    watcher.dispose();
  });

  test('a folder that was unreachable is announced as changed once it answers again', async () => {
    let offline = false;
    const watcher = new ChangeWatcher(() => (offline ? Promise.reject(new Error('offline')) : Promise.resolve(dir([]))), 60_000);
    const seen: string[] = [];
    watcher.onDidChange((changes) => seen.push(...changes.map((c) => `${c.kind} ${c.key}`)));
    watcher.watch('cmdop://f/web-1/h', true);
    await watcher.pollOnce();
    offline = true;
    await watcher.pollOnce();
    assert.deepEqual(seen, []);
    offline = false;
    await watcher.pollOnce();
    assert.deepEqual(seen, ['changed cmdop://f/web-1/h']);
    await watcher.pollOnce();
    assert.equal(seen.length, 1);
    watcher.dispose();
  });

  test('a watched file that goes away and comes back is deleted, then created', () => {
    const file = (sig?: string): Snapshot => ({ kind: 'file', entries: new Map(sig ? [['k', sig]] : []) });
    assert.deepEqual(diffSnapshots('k', file('1'), undefined), [{ key: 'k', kind: 'deleted' }]);
    assert.deepEqual(diffSnapshots('k', file(), file('2')), [{ key: 'k', kind: 'created' }]);
  });
});

describe('compare across machines', () => {
  test('identical files group, a missing file is listed apart, the outlier is the differing machine', async () => {
    const conf = Buffer.from('listen 80;\n');
    const relays = new Map<string, FakeRelay>([
      ['web-1', new FakeRelay(new Map([['/home/web-1/etc/nginx.conf', conf]]))],
      ['web-2', new FakeRelay(new Map([['/home/web-1/etc/nginx.conf', conf]]))],
      ['web-3', new FakeRelay(new Map([['/home/web-1/etc/nginx.conf', Buffer.from('listen 8080;\n')]]))],
      ['db-1', new FakeRelay(new Map())],
    ]);
    const runner = new FileReadRunner((h) => new MachineFiles(relays.get(h)!, h));
    const fanOut = new FanOut({ command: '~/etc/nginx.conf', targets: [...relays.keys()], runner, concurrency: 2, timeoutMs: 0 });
    const comparison = compareResults(await fanOut.done);
    assert.deepEqual(comparison.grouping.majority?.hostnames, ['web-1', 'web-2']);
    assert.deepEqual(comparison.missing, ['db-1']);
    assert.equal(comparison.outlier, 'web-3');
    assert.equal(
      comparisonSummary('~/etc/nginx.conf', comparison),
      '2 machines have the same nginx.conf; 1 other version on web-3; missing on db-1',
    );
    assert.ok(fanOut.peakConcurrency <= 2);
  });
});

describe('search hits', () => {
  test('each content match is a hit at its line; a name match is the file; previews are flat', () => {
    const hits = searchHits({
      matches: [
        {
          entry: entry({}),
          match_type: 'MATCH_CONTENT',
          content_matches: [{ line_number: 3, line: '\tport = 8080\u001b[31m', column_start: 1, column_end: 5 }],
        },
        { entry: entry({ path: '/home/web-1/app.log' }), match_type: 'MATCH_FILENAME', content_matches: [] },
      ],
      total_matches: 2,
      truncated: false,
      search_path: '/home/web-1',
    });
    assert.deepEqual(hits, [
      { path: '/home/web-1/etc/app.conf', line: 3, columnStart: 1, columnEnd: 5, preview: 'port = 8080 [31m' },
      { path: '/home/web-1/app.log', preview: '' },
    ]);
    assert.equal(filenameGlob('app'), '*app*');
    assert.equal(filenameGlob('*.conf'), '*.conf');
  });
});
