import { Metadata, status, type ServerWritableStream } from '@grpc/grpc-js';
import type { SessionEnd, TerminalSession } from '../sessions/terminalSession';
import { serverStream, unary } from './handlerKit';
import type { GetOutputRequest, StreamSessionOutputEvent, StreamSessionOutputRequest } from './messages';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';
import { findSession } from './sessionLookup';
import { openRequestedSession } from './sessionHandlers';

const READ = { operation: 'read session output', mutates: false };
/** StreamSessionOutput with `create` opens the session it streams: checked as CreateSession is. */
const OPEN_AND_READ = { operation: 'create sessions', mutates: true };
/** Response header saying this relay takes `create` in StreamSessionOutput (clients probe for it once). */
export const OPEN_IN_STREAM_HEADER = 'x-cmdop-open-in-stream';
const DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
/** Backlog is replayed in pieces of this size, well below the clients' message limits. */
const REPLAY_CHUNK_BYTES = 64 * 1024;

function exitEvent(session: TerminalSession, end: SessionEnd): StreamSessionOutputEvent {
  return { exit: { exit_code: end.exitCode, signal: end.signal, reason: end.reason, total_bytes: session.output.endOffset } };
}

function checkOffset(session: TerminalSession, offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RelayError(status.INVALID_ARGUMENT, `offset must be a non-negative integer, got ${offset}`);
  if (offset > session.output.endOffset) {
    throw new RelayError(
      status.OUT_OF_RANGE,
      `offset ${offset} is beyond the ${session.output.endOffset} bytes session ${session.id} has produced`,
    );
  }
}

/**
 * Replays the buffered output from `offset`, then follows live output. Both
 * happen in one tick, so no byte falls between replay and subscription.
 */
function streamOutput(
  session: TerminalSession,
  offset: number,
  call: ServerWritableStream<StreamSessionOutputRequest, StreamSessionOutputEvent>,
): void {
  const write = (event: StreamSessionOutputEvent): void => {
    if (!call.cancelled && !call.destroyed) call.write(event);
  };
  const backlog = session.output.read(offset);
  if (backlog.offset > offset) write({ gap: { requested_offset: offset, resumed_offset: backlog.offset } });
  let position = backlog.offset;
  const pending = backlog.chunks.length ? Buffer.concat(backlog.chunks) : Buffer.alloc(0);
  for (let i = 0; i < pending.length; i += REPLAY_CHUNK_BYTES) {
    const data = pending.subarray(i, i + REPLAY_CHUNK_BYTES);
    write({ output: { offset: position, data } });
    position += data.length;
  }
  if (session.state === 'ended' && session.end) {
    write(exitEvent(session, session.end));
    call.end();
    return;
  }
  const unsubscribe = session.subscribe((event) => {
    if (event.type === 'output') {
      write({ output: { offset: event.offset, data: event.data } });
    } else {
      write(exitEvent(session, event.end));
      call.end();
    }
  });
  call.on('cancelled', unsubscribe);
  call.on('close', unsubscribe);
}

/** Sends the header that names the open-in-stream extension before anything else, on success and refusal alike. */
function advertiseOpenInStream<Req, Res>(
  handler: (call: ServerWritableStream<Req, Res>) => void,
): (call: ServerWritableStream<Req, Res>) => void {
  return (call) => {
    const headers = new Metadata();
    headers.set(OPEN_IN_STREAM_HEADER, '1');
    call.sendMetadata(headers);
    handler(call);
  };
}

export function outputHandlers(deps: RelayDeps) {
  return {
    GetOutput: unary(deps, 'GetOutput', READ, async (ctx, request: GetOutputRequest) => {
      const session = await findSession(deps, ctx, request.session_id);
      checkOffset(session, request.offset);
      if (request.limit < 0) throw new RelayError(status.INVALID_ARGUMENT, 'limit must not be negative');
      const slice = session.output.read(request.offset, Math.min(request.limit || DEFAULT_OUTPUT_LIMIT, DEFAULT_OUTPUT_LIMIT));
      return {
        data: Buffer.concat(slice.chunks),
        total_bytes: session.output.endOffset,
        has_more: slice.offset + slice.bytes < session.output.endOffset,
      };
    }),

    StreamSessionOutput: advertiseOpenInStream(
      serverStream(
        deps,
        'StreamSessionOutput',
        (request: StreamSessionOutputRequest) => (request.create ? OPEN_AND_READ : READ),
        async (
          ctx,
          request: StreamSessionOutputRequest,
          call: ServerWritableStream<StreamSessionOutputRequest, StreamSessionOutputEvent>,
        ) => {
          if (request.create) {
            if (request.session_id)
              throw new RelayError(
                status.INVALID_ARGUMENT,
                'send either session_id (to follow a session) or create (to open one), not both',
              );
            const session = await openRequestedSession(deps, ctx, request.create);
            // Cancelling the stream does not end the session: a dropped connection resumes it by id, as any other.
            if (!call.cancelled && !call.destroyed) call.write({ opened: { session_id: session.id } });
            streamOutput(session, 0, call);
            return;
          }
          const session = await findSession(deps, ctx, request.session_id);
          checkOffset(session, request.offset);
          streamOutput(session, request.offset, call);
        },
      ),
    ),
  };
}
