import { randomUUID } from 'node:crypto';
import type { MachineHomes } from '../files/machineHomes';
import type { Machine } from '../fleet/machine';
import type { SessionRegistry } from '../sessions/sessionRegistry';
import { TerminalSession, type SessionOrigin } from '../sessions/terminalSession';
import { AgentHostPool } from './agentHost';

export interface SessionRequest extends SessionOrigin {
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export class MachineOfflineError extends Error {
  constructor(readonly machine: Machine) {
    super(`machine ${machine.hostname} in fleet ${machine.fleetId} is offline (no agent connected)`);
  }
}

/** Machines per agent-host process: 1,000 online machines are four processes. */
const DEFAULT_MACHINES_PER_HOST = 250;

/** Starts and stops machine agents and routes their PTY traffic to sessions. */
export class AgentSupervisor {
  private readonly transitions = new Map<Machine, Promise<void>>();
  private readonly hosts: AgentHostPool;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly options: { outputBufferBytes: number; log: (line: string) => void; machinesPerHost?: number; homes?: MachineHomes },
  ) {
    this.hosts = new AgentHostPool(options.machinesPerHost ?? DEFAULT_MACHINES_PER_HOST);
  }

  /** Agent-host processes running now. */
  get hostProcessCount(): number {
    return this.hosts.processCount;
  }

  /** Starts the agent hosts for `machines` machines about to start, so they are spread over all of them. */
  prepareHosts(machines: number): Promise<void> {
    return this.hosts.prepare(machines);
  }

  /** Starting an online machine is a no-op; concurrent start/stop calls run one after the other. */
  start(machine: Machine): Promise<void> {
    return this.serialize(machine, async () => {
      if (machine.isOnline) return;
      const agent = await this.hosts.attach(
        { fleetId: machine.fleetId, hostname: machine.hostname, os: machine.os, home: this.options.homes?.homeOf(machine) },
        {
          output: (sessionId, data) => this.sessionOf(machine, sessionId)?.appendOutput(data),
          exit: (sessionId, exitCode, signal) => this.endSession(machine, sessionId, exitCode, signal),
          lost: (reason) => {
            this.options.log(`agent of ${machine.fleetId}/${machine.hostname} lost: ${reason}`);
            this.disconnect(machine, 'agent lost');
          },
        },
      );
      machine.attach(agent);
      this.options.log(`agent of ${machine.fleetId}/${machine.hostname} online (agent host pid ${agent.pid})`);
    });
  }

  /** Stops the agent: its shells are hung up and their sessions end as "machine stopped". */
  stop(machine: Machine): Promise<void> {
    return this.serialize(machine, async () => {
      const agent = machine.agent;
      if (!agent) return;
      for (const session of machine.sessions) session.markClosing('machine stopped');
      await agent.stop();
      this.disconnect(machine, 'machine stopped');
      this.options.log(`agent of ${machine.fleetId}/${machine.hostname} stopped`);
    });
  }

  /** `sessionId` is given for a machine's long-lived agent session, whose id outlives one shell. */
  async openSession(machine: Machine, request: SessionRequest, sessionId: string = randomUUID()): Promise<TerminalSession> {
    const agent = machine.agent;
    if (!agent) throw new MachineOfflineError(machine);
    // The shell starts in the home, so it must exist (made on first use, not at machine start).
    await this.options.homes?.prepare(machine);
    const session = new TerminalSession(sessionId, machine, request, this.options.outputBufferBytes);
    // Registered before the agent starts it, so no early output is dropped.
    machine.sessions.add(session);
    this.registry.add(session);
    try {
      await agent.open({
        sessionId: session.id,
        shell: request.shell,
        command: request.command,
        cwd: request.cwd,
        env: request.env,
        cols: request.cols,
        rows: request.rows,
      });
    } catch (err) {
      machine.sessions.delete(session);
      session.finish(-1, 0, 'agent lost');
      throw err;
    }
    return session;
  }

  input(session: TerminalSession, data: Uint8Array): void {
    session.inputCount += 1;
    session.machine.agent?.send({ type: 'input', sessionId: session.id, data });
  }

  resize(session: TerminalSession, cols: number, rows: number): void {
    session.machine.agent?.send({ type: 'resize', sessionId: session.id, cols, rows });
  }

  signal(session: TerminalSession, signal: number): void {
    session.machine.agent?.send({ type: 'signal', sessionId: session.id, signal });
  }

  /** Hangs up the session and waits for its end; escalates to SIGKILL if it lingers. */
  async close(session: TerminalSession, force: boolean): Promise<void> {
    session.markClosing('closed');
    const agent = session.machine.agent;
    if (!agent) return session.finish(-1, 0, 'closed');
    agent.send({ type: 'close', sessionId: session.id, force });
    const killTimer = setTimeout(() => agent.send({ type: 'close', sessionId: session.id, force: true }), 2000);
    const giveUpTimer = setTimeout(() => session.finish(-1, 9, 'closed'), 5000);
    await session.ended;
    clearTimeout(killTimer);
    clearTimeout(giveUpTimer);
  }

  /** Stops every machine, then the agent-host processes. */
  async stopAll(machines: Machine[]): Promise<void> {
    await Promise.all(machines.filter((m) => m.isOnline).map((m) => this.stop(m)));
    await this.hosts.close();
  }

  private sessionOf(machine: Machine, sessionId: string): TerminalSession | undefined {
    const session = this.registry.get(sessionId);
    return session && session.machine === machine ? session : undefined;
  }

  private endSession(machine: Machine, sessionId: string, exitCode: number, signal: number): void {
    const session = this.sessionOf(machine, sessionId);
    if (!session) return;
    machine.sessions.delete(session);
    session.finish(exitCode, signal);
  }

  /** Ends whatever the agent did not report before it went away. */
  private disconnect(machine: Machine, reason: 'machine stopped' | 'agent lost'): void {
    for (const session of machine.sessions) session.finish(-1, 0, reason);
    machine.sessions.clear();
    machine.detach();
  }

  private serialize(machine: Machine, step: () => Promise<void>): Promise<void> {
    const previous = this.transitions.get(machine) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(step);
    this.transitions.set(machine, next);
    return next;
  }
}
