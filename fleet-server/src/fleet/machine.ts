import { randomUUID } from 'node:crypto';
import type { MachineAgent } from '../agents/agentHost';
import type { TerminalSession } from '../sessions/terminalSession';
import type { SeedMachine } from '../seed/seedTypes';
import { stableMachineId } from './machineIds';

const DEFAULT_AGENT_VERSION = '0.1.0-local';

/** A machine of a fleet: its identity from the seed and whether an agent is connected. */
export class Machine {
  readonly id: string;
  readonly hostname: string;
  readonly name: string;
  readonly os: string;
  readonly agentVersion: string;
  /** Changes on every agent connection, like a real agent's session. */
  agentSessionId: string = randomUUID();
  /** Told the previous id whenever a new agent connection brings a new one (the fleet's machine index). */
  onAgentSessionChange?: (previous: string) => void;
  agent?: MachineAgent;
  connectedAt?: Date;
  lastSeen: Date | null;
  readonly sessions = new Set<TerminalSession>();

  constructor(
    readonly fleetId: string,
    seed: SeedMachine,
  ) {
    this.id = seed.id ?? stableMachineId(fleetId, seed.hostname);
    this.hostname = seed.hostname;
    this.name = seed.name ?? seed.hostname;
    this.os = seed.os;
    this.agentVersion = seed.agent_version ?? DEFAULT_AGENT_VERSION;
    this.lastSeen = seed.last_seen ? new Date(seed.last_seen) : null;
  }

  get isOnline(): boolean {
    return this.agent !== undefined;
  }

  /** An online machine is seen now: its agent's channel is live. */
  get lastSeenAt(): Date | null {
    return this.isOnline ? new Date() : this.lastSeen;
  }

  attach(agent: MachineAgent): void {
    this.agent = agent;
    const previous = this.agentSessionId;
    this.agentSessionId = randomUUID();
    this.onAgentSessionChange?.(previous);
    this.connectedAt = new Date();
    this.lastSeen = this.connectedAt;
  }

  /** The agent registered again (with a relay that restarted): its session id is a new one. */
  renewAgentSession(): void {
    this.agentSessionId = randomUUID();
  }

  detach(): void {
    this.agent = undefined;
    this.connectedAt = undefined;
    this.lastSeen = new Date();
  }

  /** Matches what clients may put in x-agent-id: machine id, agent session id or hostname. */
  answersTo(ref: string): boolean {
    return ref === this.id || ref === this.agentSessionId || ref === this.hostname;
  }
}
