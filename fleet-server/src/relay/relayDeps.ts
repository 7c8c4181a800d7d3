import type { AgentSupervisor } from '../agents/agentSupervisor';
import type { AuditLog } from '../audit/auditLog';
import type { CredentialResolver } from '../auth/credentialResolver';
import type { Fleet, FleetDirectory } from '../fleet/fleetDirectory';
import type { MachineHomes } from '../files/machineHomes';
import type { RelayFaults } from './relayFaults';
import type { RelayName } from '../seed/seedTypes';
import type { AgentSessions } from '../sessions/agentSessions';
import type { SessionRegistry } from '../sessions/sessionRegistry';

/** Everything a relay's handlers use; one relay per RelayName, all sharing the same state. */
export interface RelayDeps {
  relayName: RelayName;
  directory: FleetDirectory;
  resolver: CredentialResolver;
  supervisor: AgentSupervisor;
  registry: SessionRegistry;
  agentSessions: AgentSessions;
  /** Each machine's home folder: where its shells start and the only place its file RPCs reach. */
  homes: MachineHomes;
  /** Serve only what an upstream CMDOP relay has: this project's extensions answer UNIMPLEMENTED. */
  upstreamOnly: boolean;
  audit: AuditLog;
  relayAddressOf(fleet: Fleet): string;
  ownAddress(): string;
  version: string;
  log: (line: string) => void;
  /** This project's addition: every relay message and unary call is delayed this many ms each way (0: none). */
  latencyMs?: () => number;
  /** Fault injection and revocation hooks (optional: the relay works without them). */
  faults?: RelayFaults;
}
