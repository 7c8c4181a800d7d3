import { status } from '@grpc/grpc-js';
import { unary } from './handlerKit';
import type { SendInputRequest, SendResizeRequest, SendSignalRequest } from './messages';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';
import { findRunningSession, sessionTarget } from './sessionLookup';
import { MAX_INPUT_BYTES, validateTerminalSize } from './sessionRequestValidation';

const OK = { success: true, error: '' };

export function terminalControlHandlers(deps: RelayDeps) {
  return {
    SendInput: unary(deps, 'SendInput', { operation: 'send input', mutates: true }, async (ctx, request: SendInputRequest) => {
      if (request.data.length > MAX_INPUT_BYTES) {
        throw new RelayError(
          status.INVALID_ARGUMENT,
          `input of ${request.data.length} bytes exceeds the ${MAX_INPUT_BYTES}-byte limit per SendInput; split it`,
        );
      }
      const session = await findRunningSession(deps, ctx, request.session_id);
      deps.supervisor.input(session, request.data);
      deps.audit.record(ctx.fleet.id, {
        actor: ctx.actor,
        action: 'session.input',
        target: sessionTarget(session),
        source_ip: ctx.sourceIp,
      });
      return OK;
    }),

    SendResize: unary(deps, 'SendResize', { operation: 'resize terminals', mutates: true }, async (ctx, request: SendResizeRequest) => {
      validateTerminalSize(request.cols, request.rows);
      deps.supervisor.resize(await findRunningSession(deps, ctx, request.session_id), request.cols, request.rows);
      return OK;
    }),

    SendSignal: unary(deps, 'SendSignal', { operation: 'send signals', mutates: true }, async (ctx, request: SendSignalRequest) => {
      if (!Number.isInteger(request.signal) || request.signal < 1 || request.signal > 64) {
        throw new RelayError(
          status.INVALID_ARGUMENT,
          `signal must be a POSIX signal number 1..64 (2 SIGINT, 15 SIGTERM, 9 SIGKILL), got ${request.signal}`,
        );
      }
      const session = await findRunningSession(deps, ctx, request.session_id);
      deps.supervisor.signal(session, request.signal);
      deps.audit.record(ctx.fleet.id, {
        actor: ctx.actor,
        action: `session.signal:${request.signal}`,
        target: sessionTarget(session),
        source_ip: ctx.sourceIp,
      });
      return OK;
    }),
  };
}
