import { status } from '@grpc/grpc-js';
import { MachineOfflineError } from '../agents/agentSupervisor';
import type { TerminalSession } from '../sessions/terminalSession';
import type { CallContext } from './callAuthorization';
import { unary } from './handlerKit';
import { toTimestamp, type CloseSessionRequest, type CreateSessionRequest, type SessionIdRequest } from './messages';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';
import { agentSessionMachine, canSeeSession, findSession, machineOffline, requestedSessionId, sessionTarget } from './sessionLookup';
import { sessionRequestFrom } from './sessionRequestValidation';

function audit(deps: RelayDeps, ctx: CallContext, action: string, session: TerminalSession): void {
  deps.audit.record(ctx.fleet.id, { actor: ctx.actor, action, target: sessionTarget(session), source_ip: ctx.sourceIp });
}

/**
 * Opens the session a CreateSession request asks for on the machine x-cmdop-agent-id names (also what
 * StreamSessionOutput's `create` opens), audited as session.create.
 */
export async function openRequestedSession(deps: RelayDeps, ctx: CallContext, request: CreateSessionRequest): Promise<TerminalSession> {
  if (!ctx.agentRef) {
    throw new RelayError(
      status.INVALID_ARGUMENT,
      'missing x-cmdop-agent-id metadata: name the machine (machine id, agent session id or hostname)',
    );
  }
  const machine = deps.directory.machine(ctx.fleet.id, ctx.agentRef);
  if (!machine) throw new RelayError(status.NOT_FOUND, `no machine "${ctx.agentRef}" in fleet ${ctx.fleet.id} (x-cmdop-agent-id)`);
  // An upstream relay does not know field 1001: it opens an interactive shell whatever the command says.
  const sessionRequest = sessionRequestFrom(deps.upstreamOnly ? { ...request, command: '' } : request, ctx.actor);
  if (!machine.isOnline) throw machineOffline(machine);
  let session: TerminalSession;
  try {
    session = await deps.supervisor.openSession(machine, sessionRequest);
  } catch (err) {
    if (err instanceof MachineOfflineError) throw machineOffline(machine);
    throw new RelayError(status.FAILED_PRECONDITION, `could not start a session on ${machine.hostname}: ${(err as Error).message}`);
  }
  audit(deps, ctx, 'session.create', session);
  return session;
}

export function sessionHandlers(deps: RelayDeps) {
  /** Extension fields of GetSessionStatusResponse; an upstream relay has none of them. */
  const endFields = (session: TerminalSession) =>
    deps.upstreamOnly
      ? {}
      : {
          ended: session.state === 'ended',
          exit_code: session.end?.exitCode ?? 0,
          exit_signal: session.end?.signal ?? 0,
          end_reason: session.end?.reason ?? '',
          output_bytes: session.output.endOffset,
        };

  return {
    CreateSession: unary(
      deps,
      'CreateSession',
      { operation: 'create sessions', mutates: true },
      async (ctx, request: CreateSessionRequest) => {
        const session = await openRequestedSession(deps, ctx, request);
        return { success: true, session_id: session.id, error: '' };
      },
    ),

    CloseSession: unary(deps, 'CloseSession', { operation: 'close sessions', mutates: true }, async (ctx, request: CloseSessionRequest) => {
      const id = requestedSessionId(ctx, request.session_id);
      const machine = agentSessionMachine(ctx, id);
      // Closing an agent session hangs up its shared shell (if one runs); the next use starts a new one.
      const session = machine ? deps.agentSessions.current(machine) : await findSession(deps, ctx, id);
      // Closing a closed session is a no-op, so clients can close without racing the exit.
      if (session && session.state !== 'ended') {
        await deps.supervisor.close(session, request.force);
        audit(deps, ctx, 'session.close', session);
      }
      return { success: true, error: '' };
    }),

    GetSessionStatus: unary(
      deps,
      'GetSessionStatus',
      { operation: 'look at sessions', mutates: false },
      async (ctx, request: SessionIdRequest) => {
        const id = requestedSessionId(ctx, request.session_id);
        const machine = agentSessionMachine(ctx, id);
        if (machine) {
          const shell = deps.agentSessions.current(machine);
          return {
            exists: true,
            status: machine.isOnline ? 'CONNECTED' : 'DISCONNECTED',
            agent_hostname: machine.hostname,
            connected_at: toTimestamp(machine.connectedAt),
            last_heartbeat_at: toTimestamp(machine.lastSeenAt),
            commands_count: shell?.inputCount ?? 0,
          };
        }
        const session = deps.registry.get(id);
        if (session && canSeeSession(ctx, session)) {
          return {
            exists: true,
            status: session.state === 'ended' ? 'DISCONNECTED' : 'CONNECTED',
            agent_hostname: session.machine.hostname,
            connected_at: toTimestamp(session.createdAt),
            last_heartbeat_at: toTimestamp(session.machine.lastSeenAt),
            commands_count: session.inputCount,
            ...endFields(session),
          };
        }
        return { exists: false, status: 'SESSION_STATUS_UNSPECIFIED' };
      },
    ),
  };
}
