// The extension's machine-file client (MachineFiles + the chunked reader) through a real RelayClient and gRPC
// channel, against a relay that serves the upstream File* RPCs of the shared proto from a folder, with the
// fleet server's 1 MiB receive limit: names, numbers and types on the wire, chunking, and refusals.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadTerminalService } from '../../fleet-server/src/relay/terminalProto';
import { FileTooLargeToWriteError, type MachineFileError } from '../../src/core/errors';
import { readWholeFile } from '../../src/core/files/chunkedReader';
import { FileKind, toFileStat } from '../../src/core/files/fileEntry';
import { MachineFiles } from '../../src/core/files/machineFiles';
import { RelayClient } from '../../src/core/relay/relayClient';

type Call = grpc.ServerUnaryCall<Record<string, any>, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

/** A stand-in relay: one machine, web-1, whose files are a temporary folder. */
function folderRelay(home: string, seen: { method: string; session: string }[]) {
  const entryOf = (path: string) => {
    const st = lstatSync(path);
    return {
      name: path.split('/').pop(),
      path,
      type: st.isSymbolicLink() ? 'STREAM_SYMLINK' : st.isDirectory() ? 'STREAM_DIRECTORY' : 'STREAM_FILE',
      size: st.size,
      permissions: 'rw-r--r--',
      modified_at: { seconds: Math.floor(st.mtimeMs / 1000), nanos: 0 },
      is_writable: true,
      symlink_target: st.isSymbolicLink() ? readlinkSync(path) : '',
    };
  };
  const answer = (method: string, fn: (req: Record<string, any>) => unknown) => (call: Call, cb: Callback) => {
    seen.push({ method, session: call.request.session_id });
    try {
      if (!String(call.request.path ?? home).startsWith(home)) throw new Error('path is outside the home folder');
      cb(null, { success: true, error: '', result: fn(call.request) });
    } catch (err) {
      cb(null, { success: false, error: (err as Error).message });
    }
  };
  return {
    GetSessionByHostname: (call: Call, cb: Callback) =>
      cb(null, { found: call.request.hostname === 'web-1', session_id: 'agent-web-1', status: 'connected', working_directory: home }),
    FileGetInfo: answer('FileGetInfo', (r) => ({ entry: entryOf(r.path) })),
    FileListDirectory: answer('FileListDirectory', (r) => ({
      current_path: r.path,
      entries: readdirSync(r.path).map((n) => entryOf(join(r.path, n))),
      has_more: false,
    })),
    FileRead: answer('FileRead', (r) => {
      const all = readFileSync(r.path);
      const offset = Number(r.offset);
      return { content: all.subarray(offset, Number(r.length) ? offset + Number(r.length) : undefined), total_size: all.length };
    }),
    FileWrite: answer('FileWrite', (r) => (writeFileSync(r.path, r.content), { bytes_written: r.content.length })),
  };
}

describe('machine files through a real relay channel', () => {
  let home: string;
  let server: grpc.Server;
  let client: RelayClient;
  const seen: { method: string; session: string }[] = [];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'cmdop-files-'));
    writeFileSync(join(home, 'app.conf'), 'port = 8080\n');
    symlinkSync('app.conf', join(home, 'current.conf'));
    server = new grpc.Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
    server.addService(loadTerminalService(), folderRelay(home, seen) as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new RelayClient({
      address: `127.0.0.1:${port}`,
      fleetId: 'acme-prod',
      fleetName: 'Acme Production',
      credential: { kind: 'apiKey', source: 'setting', secret: 'cmdop_test', fleetId: 'acme-prod' },
    });
  });
  after(() => {
    client?.close();
    server?.forceShutdown();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds the home, lists it and stats a file with the upstream field names; calls carry the agent session id', async () => {
    const files = new MachineFiles(client, 'web-1');
    assert.equal(await files.home(), home);
    const names = (await files.list(home)).map((e) => `${e.name}:${e.type}:${e.symlink_target}`).sort();
    assert.deepEqual(names, ['app.conf:STREAM_FILE:', 'current.conf:STREAM_SYMLINK:app.conf']);
    const stat = toFileStat(await files.stat(join(home, 'app.conf')), { readonly: false });
    assert.equal(stat.type, FileKind.File);
    assert.equal(stat.size, 12);
    assert.equal(Math.floor(stat.mtime / 1000), Math.floor(statSync(join(home, 'app.conf')).mtimeMs / 1000));
    assert.ok(seen.length > 0 && seen.every((s) => s.session === 'agent-web-1'));
  });

  it('reads a 3 MiB binary in chunks byte for byte, and saves a file', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 256;
    writeFileSync(join(home, 'blob.bin'), big);
    const files = new MachineFiles(client, 'web-1');
    const before = seen.length;
    const read = await readWholeFile((o, l) => files.read(join(home, 'blob.bin'), o, l), 'blob', { chunkBytes: 512 * 1024 });
    assert.ok(Buffer.from(read).equals(big));
    assert.ok(seen.slice(before).filter((s) => s.method === 'FileRead').length >= 7);
    await files.write(join(home, 'app.conf'), Buffer.from('port = 9090\n'), { overwrite: true });
    assert.equal(readFileSync(join(home, 'app.conf'), 'utf8'), 'port = 9090\n');
  });

  it('a save bigger than the relay takes in one message is refused whole, saying so; the file is untouched', async () => {
    const files = new MachineFiles(client, 'web-1');
    await assert.rejects(files.write(join(home, 'app.conf'), Buffer.alloc(2 * 1024 * 1024, 65), { overwrite: true }), (err: Error) => {
      assert.ok(err instanceof FileTooLargeToWriteError, String(err));
      assert.match(err.message, /2 MiB and the relay refused it as too large for one message, so it was not saved/);
      return true;
    });
    assert.equal(readFileSync(join(home, 'app.conf'), 'utf8'), 'port = 9090\n');
  });

  it('a path the relay refuses and a machine it does not know come back as typed errors', async () => {
    await assert.rejects(new MachineFiles(client, 'web-1').stat('/etc/passwd'), (err: MachineFileError) => {
      assert.equal(err.kind, 'NoPermissions');
      assert.match(err.message, /web-1:\/etc\/passwd: path is outside the home folder/);
      return true;
    });
    await assert.rejects(
      new MachineFiles(client, 'db-9').stat('/x'),
      (err: MachineFileError) => err.kind === 'Unavailable' && /db-9/.test(err.message),
    );
  });
});
