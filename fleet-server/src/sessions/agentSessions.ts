import type { AgentSupervisor } from '../agents/agentSupervisor';
import type { Machine } from '../fleet/machine';
import type { TerminalSession } from './terminalSession';

const SHARED_SHELL = { shell: '/bin/bash', cwd: '', env: {}, cols: 80, rows: 24 };

/**
 * Each online machine's long-lived agent session: the id ListSessions and GetSessionByHostname return,
 * backed by one shell shared by everyone who uses it, as upstream has it. The shell starts on first use,
 * never at machine start (a thousand idle machines must not cost a thousand shells), and a new one starts
 * under the same id when the previous one has ended.
 */
export class AgentSessions {
  private readonly starting = new Map<Machine, Promise<TerminalSession>>();

  constructor(
    private readonly supervisor: AgentSupervisor,
    private readonly lookup: (id: string) => TerminalSession | undefined,
  ) {}

  /** The machine's shared shell if it runs now; never starts one. */
  current(machine: Machine): TerminalSession | undefined {
    const session = this.lookup(machine.agentSessionId);
    return session && session.machine === machine && session.state === 'running' ? session : undefined;
  }

  /** The machine's shared shell, started now if it is not running; concurrent first uses share one start. */
  shell(machine: Machine): Promise<TerminalSession> {
    const running = this.current(machine);
    if (running) return Promise.resolve(running);
    let pending = this.starting.get(machine);
    if (!pending) {
      pending = this.supervisor
        .openSession(machine, { actor: `agent:${machine.hostname}`, shared: true, ...SHARED_SHELL }, machine.agentSessionId)
        .finally(() => this.starting.delete(machine));
      this.starting.set(machine, pending);
    }
    return pending;
  }
}
