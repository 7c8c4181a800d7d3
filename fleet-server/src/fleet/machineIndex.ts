import type { Machine } from './machine';

/**
 * A fleet's machines by every name a client may use for one (machine id, hostname, agent session id), so a call
 * finds its machine without walking a 10,000-machine fleet. Answers as a walk in seed order would: where two
 * machines answer to the same text, the earlier one.
 */
export class MachineIndex {
  private readonly byName = new Map<string, Machine>();
  private readonly byAgentSession = new Map<string, Machine>();
  private readonly position = new Map<Machine, number>();

  constructor(machines: readonly Machine[]) {
    machines.forEach((machine, i) => {
      this.position.set(machine, i);
      for (const name of [machine.id, machine.hostname]) if (!this.byName.has(name)) this.byName.set(name, machine);
      this.byAgentSession.set(machine.agentSessionId, machine);
      // A new agent connection brings a new session id; the old one no longer names the machine.
      machine.onAgentSessionChange = (previous) => {
        if (this.byAgentSession.get(previous) === machine) this.byAgentSession.delete(previous);
        this.byAgentSession.set(machine.agentSessionId, machine);
      };
    });
  }

  /** The machine whose long-lived agent session has this id. */
  byAgentSessionId(id: string): Machine | undefined {
    const machine = this.byAgentSession.get(id);
    return machine?.agentSessionId === id ? machine : undefined;
  }

  /** The first machine that answers to `ref` as its id, hostname or agent session id. */
  find(ref: string): Machine | undefined {
    const named = this.byName.get(ref);
    const session = this.byAgentSessionId(ref);
    if (!named || !session) return named ?? session;
    return this.position.get(named)! <= this.position.get(session)! ? named : session;
  }
}
