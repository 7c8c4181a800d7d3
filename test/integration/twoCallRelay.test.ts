// A relay with this project's StreamSessionOutput but without its open-in-stream `create` (an older fleet server):
// the extension learns that from the missing response header and runs a command in two calls, CreateSession and
// then StreamSessionOutput by id, with the same output and exit code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadTerminalService } from '../../fleet-server/src/relay/terminalProto';
import { runCommand } from '../../src/core/relay/commandRun';
import { RelayClient } from '../../src/core/relay/relayClient';

const SESSION = '3f0c7a52-2b1e-4c39-9d0e-5d2b6a1f0c11';

describe('relay with StreamSessionOutput but no open-in-stream: a run is two calls', () => {
  const calls: string[] = [];
  let server: grpc.Server;
  let client: RelayClient;

  before(async () => {
    server = new grpc.Server();
    server.addService(loadTerminalService(), {
      CreateSession: (call: grpc.ServerUnaryCall<Record<string, any>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        calls.push(`CreateSession ${call.request.command}`);
        cb(null, { success: true, session_id: SESSION, error: '' });
      },
      StreamSessionOutput: (call: grpc.ServerWritableStream<Record<string, any>, unknown>) => {
        calls.push(`StreamSessionOutput ${call.request.session_id || '(none)'}${call.request.create ? ' with create' : ''}`);
        if (call.request.session_id !== SESSION)
          return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'session_id is required' });
        call.write({ output: { offset: 0, data: Buffer.from('hello\r\n') } });
        call.write({ exit: { exit_code: 7, signal: 0, reason: 'exited', total_bytes: 7 } });
        call.end();
      },
    } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new RelayClient({
      address: `127.0.0.1:${port}`,
      fleetId: 'acme-prod',
      fleetName: 'Acme Production',
      credential: { kind: 'apiKey', source: 'setting', secret: 'cmdop_test_key', fleetId: 'acme-prod' },
    });
  });
  after(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('learns the relay has the extensions but not open-in-stream, and runs `echo hello; exit 7` in two calls', async () => {
    assert.deepEqual(await client.capabilities(), { extensions: true, openInStream: false });
    const chunks: Buffer[] = [];
    const result = await runCommand(client, 'web-1', 'echo hello; exit 7', { onOutput: (d) => chunks.push(Buffer.from(d)) });
    assert.equal(Buffer.concat(chunks).toString(), 'hello\r\n');
    assert.equal(result.exitCode, 7);
    assert.deepEqual(calls, ['StreamSessionOutput (none)', 'CreateSession echo hello; exit 7', `StreamSessionOutput ${SESSION}`]);
  });
});
