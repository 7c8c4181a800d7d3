import { status } from '@grpc/grpc-js';
import type { AgentSupervisor } from '../agents/agentSupervisor';
import type { FleetDirectory } from '../fleet/fleetDirectory';
import type { SessionRegistry } from '../sessions/sessionRegistry';
import { RelayError } from './relayError';
import type { RelayFaults } from './relayFaults';
import type { RelayListeners } from './relayListeners';

export interface RelayRestartDeps {
  listeners: RelayListeners;
  faults: RelayFaults;
  registry: SessionRegistry;
  supervisor: AgentSupervisor;
  directory: FleetDirectory;
}

/**
 * This project's addition (fault injection): the relays restart in place. Every call and connection ends, every
 * session's shell is hung up and forgotten (a restarted relay keeps no state, so a late call gets NOT_FOUND), each
 * online machine's agent registers again under a new agent session id, and the relays listen on the same ports.
 */
export async function restartRelays(deps: RelayRestartDeps): Promise<{ sessionsDropped: number }> {
  deps.faults.endWhere(() => true, new RelayError(status.UNAVAILABLE, 'relay connection dropped (the relay is restarting)'));
  await deps.listeners.stopListening();
  const running = deps.registry.running();
  await Promise.all(running.map((session) => deps.supervisor.close(session, true)));
  deps.registry.forgetAll();
  for (const machine of deps.directory.allMachines()) if (machine.isOnline) machine.renewAgentSession();
  await deps.listeners.listenAgain();
  return { sessionsDropped: running.length };
}
