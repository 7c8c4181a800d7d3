import { status } from '@grpc/grpc-js';
import type { SessionEnd, TerminalSession } from '../sessions/terminalSession';
import type { CallContext } from './callAuthorization';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';

/** The body's session_id, or x-agent-id as the SDK sends it when the body has none. */
export function requestedSessionId(ctx: CallContext, bodySessionId: string): string {
  const id = (bodySessionId || ctx.agentRef).trim();
  if (!id) throw new RelayError(status.INVALID_ARGUMENT, 'session_id is required (from CreateSession)');
  return id;
}

/** Sessions of other fleets are reported as unknown: their existence is not the caller's business. */
export function findSession(deps: RelayDeps, ctx: CallContext, bodySessionId: string): TerminalSession {
  const id = requestedSessionId(ctx, bodySessionId);
  const session = deps.registry.get(id);
  if (!session || session.fleetId !== ctx.fleet.id) {
    throw new RelayError(status.NOT_FOUND, `no session ${id} in fleet ${ctx.fleet.id}`);
  }
  return session;
}

export function findRunningSession(deps: RelayDeps, ctx: CallContext, bodySessionId: string): TerminalSession {
  const session = findSession(deps, ctx, bodySessionId);
  if (session.state !== 'running') {
    throw new RelayError(status.FAILED_PRECONDITION, `session ${session.id} is closed (${describeEnd(session.end)}); create a new session`);
  }
  return session;
}

export function describeEnd(end: SessionEnd | undefined): string {
  if (!end) return 'closing';
  const how = end.signal ? `signal ${end.signal}` : `exit code ${end.exitCode}`;
  return `${end.reason}, ${how}`;
}

export function sessionTarget(session: TerminalSession): string {
  return `${session.machine.hostname}/${session.id}`;
}
