import { status } from '@grpc/grpc-js';
import { MachineOfflineError } from '../agents/agentSupervisor';
import { canManageFleet } from '../auth/roles';
import type { Machine } from '../fleet/machine';
import type { SessionEnd, TerminalSession } from '../sessions/terminalSession';
import type { CallContext } from './callAuthorization';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';

/** The body's session_id, or x-cmdop-agent-id as the SDK sends it when the body has none. */
export function requestedSessionId(ctx: CallContext, bodySessionId: string): string {
  const id = (bodySessionId || ctx.agentRef).trim();
  if (!id)
    throw new RelayError(status.INVALID_ARGUMENT, 'session_id is required (from CreateSession, ListSessions or GetSessionByHostname)');
  return id;
}

export function machineOffline(machine: Machine): RelayError {
  return new RelayError(
    status.UNAVAILABLE,
    `machine ${machine.hostname} in fleet ${machine.fleetId} is offline (no agent connected); try again when it is back`,
  );
}

/** The machine whose long-lived agent session has this id, in the caller's fleet only. */
export function agentSessionMachine(ctx: CallContext, id: string): Machine | undefined {
  return ctx.fleet.index.byAgentSessionId(id);
}

/**
 * Whether the caller may see a session: one of its fleet that is a machine's shared agent session, or a private
 * one (CreateSession's) that the caller opened or that the caller, as the fleet's Owner or Admin, oversees.
 * Any other member (a Guest, another key) is told it does not exist, as for another fleet's session.
 */
export function canSeeSession(ctx: CallContext, session: TerminalSession): boolean {
  if (session.fleetId !== ctx.fleet.id) return false;
  return session.origin.shared === true || session.origin.actor === ctx.actor || canManageFleet(ctx.role);
}

/**
 * A session the caller may see (canSeeSession): one CreateSession made, or a machine's agent session, whose
 * shared shell starts here on first use. Others are reported as unknown: their existence is not the caller's
 * business.
 */
export async function findSession(deps: RelayDeps, ctx: CallContext, bodySessionId: string): Promise<TerminalSession> {
  const id = requestedSessionId(ctx, bodySessionId);
  const machine = agentSessionMachine(ctx, id);
  if (machine) {
    if (!machine.isOnline) throw machineOffline(machine);
    try {
      return await deps.agentSessions.shell(machine);
    } catch (err) {
      if (err instanceof MachineOfflineError) throw machineOffline(machine);
      throw new RelayError(
        status.FAILED_PRECONDITION,
        `could not start the shell of ${machine.hostname}'s agent session: ${(err as Error).message}`,
      );
    }
  }
  const session = deps.registry.get(id);
  if (!session || !canSeeSession(ctx, session)) {
    throw new RelayError(status.NOT_FOUND, `no session ${id} in fleet ${ctx.fleet.id}`);
  }
  return session;
}

export async function findRunningSession(deps: RelayDeps, ctx: CallContext, bodySessionId: string): Promise<TerminalSession> {
  const session = await findSession(deps, ctx, bodySessionId);
  if (session.state !== 'running') {
    throw new RelayError(status.FAILED_PRECONDITION, `session ${session.id} is closed (${describeEnd(session.end)}); create a new session`);
  }
  return session;
}

function describeEnd(end: SessionEnd | undefined): string {
  if (!end) return 'closing';
  const how = end.signal ? `signal ${end.signal}` : `exit code ${end.exitCode}`;
  return `${end.reason}, ${how}`;
}

export function sessionTarget(session: TerminalSession): string {
  return `${session.machine.hostname}/${session.id}`;
}
