// The extension's machine-file client (MachineFiles + the chunked reader) through a real RelayClient and gRPC
// channel, against a relay that serves the upstream File* RPCs of the shared proto from a folder, with the
// fleet server's 1 MiB receive limit: names, numbers and types on the wire, chunking, and refusals.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTooLargeToWriteError, type MachineFileError } from '../../src/core/errors';
import { readWholeFile } from '../../src/core/files/chunkedReader';
import { FileKind, toFileStat } from '../../src/core/files/fileEntry';
import { MachineFiles } from '../../src/core/files/machineFiles';
import { RelayClient } from '../../src/core/relay/relayClient';
import { type FolderFileRelay, startFolderFileRelay } from './support/folderFileRelay';

describe('machine files through a real relay channel', () => {
  let home: string;
  let relay: FolderFileRelay;
  let client: RelayClient;
  let seen: FolderFileRelay['seen'];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'cmdop-files-'));
    writeFileSync(join(home, 'app.conf'), 'port = 8080\n');
    symlinkSync('app.conf', join(home, 'current.conf'));
    // The fleet server's receive limit (1 MiB), so a bigger save meets a relay refusal.
    relay = await startFolderFileRelay(home, { maxReceiveBytes: 1024 * 1024 });
    seen = relay.seen;
    client = new RelayClient({
      address: relay.address,
      fleetId: 'acme-prod',
      fleetName: 'Acme Production',
      credential: { kind: 'apiKey', source: 'setting', secret: 'cmdop_test', fleetId: 'acme-prod' },
    });
  });
  after(() => {
    client?.close();
    relay?.close();
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
