// This project's extension: StreamSessionOutput with `create` opens the session and streams it in one call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startFleetServer } from '../../fleet-server/src/index';
import { seededKey, signIn } from './support/fleetHelpers';
import { useFleetRelay } from './support/fleetRelay';
import { call, expectStatus, grpc, metadata, readOutputStream, relayClient, type CallMeta, type Message } from './support/relayClient';

/** Opens a session in the stream and reads it to its end; the events as they came, the headers the relay sent. */
function openAndRead(client: ReturnType<typeof relayClient>, meta: CallMeta, create: Message, sessionId = '') {
  return new Promise<{ events: Message[]; headers: grpc.Metadata | undefined }>((resolve, reject) => {
    const events: Message[] = [];
    let headers: grpc.Metadata | undefined;
    const stream = client.StreamSessionOutput({ session_id: sessionId, offset: 0, create }, metadata(meta), {
      deadline: Date.now() + 20_000,
    }) as grpc.ClientReadableStream<Message>;
    stream.on('metadata', (md: grpc.Metadata) => (headers = md));
    stream.on('data', (event: Message) => events.push(event));
    stream.on('error', (err: grpc.ServiceError) => reject(Object.assign(err, { headers })));
    stream.on('end', () => resolve({ events, headers }));
  });
}

const text = (events: Message[]) => Buffer.concat(events.filter((e) => e.output).map((e) => e.output.data as Buffer)).toString();

describe('open in stream: StreamSessionOutput with create', () => {
  const fx = useFleetRelay();

  it('names the session first, then delivers all its output and its exit: the tail is never lost', async () => {
    const { events, headers } = await openAndRead(fx.relay, fx.meta, { command: 'echo hello; printf tail; exit 7' });
    assert.equal(headers?.get('x-cmdop-open-in-stream')[0], '1', 'the relay says it has the extension');
    assert.equal(events[0].event, 'opened');
    const sessionId = events[0].opened.session_id as string;
    assert.match(sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(text(events), 'hello\r\ntail');
    assert.deepEqual([events.at(-1)?.exit?.exit_code, events.at(-1)?.exit?.reason], [7, 'exited']);
    // The session is an ordinary one: read again by id, audited as created.
    const again = await readOutputStream(fx.relay, sessionId, fx.meta);
    assert.equal(again.output.toString(), 'hello\r\ntail');
    assert.ok(fx.server.audit('acme-prod').some((e) => e.action === 'session.create' && e.target === `web-1/${sessionId}`));
  });

  it('a stream cancelled after the session opened leaves it running, so a dropped run resumes by id', async () => {
    const stream = fx.relay.StreamSessionOutput(
      { session_id: '', offset: 0, create: { command: 'read line; echo "got $line"; exit 3' } },
      metadata(fx.meta),
    ) as grpc.ClientReadableStream<Message>;
    stream.on('error', () => undefined);
    const sessionId = await new Promise<string>((resolve) => stream.once('data', (e: Message) => resolve(e.opened.session_id)));
    stream.cancel();
    await call(fx.relay, 'SendInput', { session_id: sessionId, data: Buffer.from('one\n') }, fx.meta);
    const rest = await readOutputStream(fx.relay, sessionId, fx.meta);
    assert.match(rest.output.toString(), /got one/);
    assert.equal(rest.exit?.exit_code, 3);
  });

  it('refuses what CreateSession refuses, and both a session id and create at once, with what to do', async () => {
    await expectStatus(
      openAndRead(fx.relay, { ...fx.meta, agent: undefined }, { command: 'id' }),
      grpc.status.INVALID_ARGUMENT,
      /missing x-cmdop-agent-id/,
    );
    await expectStatus(
      openAndRead(fx.relay, { ...fx.meta, agent: 'no-such-host' }, { command: 'id' }),
      grpc.status.NOT_FOUND,
      /no machine "no-such-host"/,
    );
    await expectStatus(
      openAndRead(fx.relay, fx.meta, { command: 'id' }, 'some-session'),
      grpc.status.INVALID_ARGUMENT,
      /either session_id .* or create/,
    );
    // Refused too, the call carries the header: a client's one probe learns the extension either way.
    const refused = await openAndRead(fx.relay, fx.meta, {}, 'some-session').catch((err: { headers?: grpc.Metadata }) => err);
    assert.equal((refused as { headers?: grpc.Metadata }).headers?.get('x-cmdop-open-in-stream')[0], '1');
  });

  it('is refused to a Guest, who may not create sessions', async () => {
    const server = await startFleetServer();
    const relay = relayClient(server.relays['partner-lab']);
    try {
      const token = (await signIn(server, 'alice@acme.test', 'alice-pass')).tokens.access_token;
      await expectStatus(
        openAndRead(relay, { token, fleet: 'partner-lab', agent: 'lab-1' }, { command: 'id' }),
        grpc.status.PERMISSION_DENIED,
        /observer-only: alice@acme.test has the Guest role in fleet partner-lab and cannot create sessions/,
      );
      // The fleet's own bot may.
      const bot = { token: seededKey(server, 'partner-lab', 'lab-bot'), fleet: 'partner-lab', agent: 'lab-1' };
      const { events } = await openAndRead(relay, bot, { command: 'echo ok' });
      assert.equal(text(events), 'ok\r\n');
    } finally {
      relay.close();
      await server.close();
    }
  });
});
