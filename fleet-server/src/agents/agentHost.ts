import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AgentIdentity, type FromAgent, machineKey, type OpenSessionSpec, type ToAgent } from './agentProtocol';

export interface AgentListener {
  output(sessionId: string, data: Uint8Array): void;
  exit(sessionId: string, exitCode: number, signal: number): void;
  /** The host process ended without being asked to. */
  lost(reason: string): void;
}

const AGENT_ENTRY = path.join(__dirname, 'agentMain.ts');
const START_TIMEOUT_MS = 20_000;
const OPEN_TIMEOUT_MS = 10_000;

/** tsx runs the agent's TypeScript in the child, whatever loader the parent was started with. */
function tsxLoaderUrl(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

/** The relay's handle on one machine served by an agent host: what the relay used to hold per process. */
export class MachineAgent {
  constructor(
    private readonly host: AgentHostProcess,
    readonly key: string,
  ) {}

  /** The host process's pid (machines share it). */
  get pid(): number | undefined {
    return this.host.pid;
  }

  open(spec: Omit<OpenSessionSpec, 'machine'>): Promise<number> {
    return this.host.open({ ...spec, machine: this.key });
  }

  send(message: ToAgent): void {
    this.host.send(message);
  }

  /** Hangs up this machine's shells (their exits are reported first) and takes it off its host. */
  stop(): Promise<void> {
    return this.host.detach(this.key);
  }
}

/** One forked agent-host process serving many machines over its IPC channel. */
export class AgentHostProcess {
  private readonly pendingOpens = new Map<string, { resolve: (pid: number) => void; reject: (err: Error) => void }>();
  private readonly pendingDetaches = new Map<string, () => void>();
  private readonly listeners = new Map<string, AgentListener>();
  /** Session id → machine key, for routing output and exit. */
  private readonly sessionMachines = new Map<string, string>();
  private stopRequested = false;
  /** Exited and its IPC channel drained: no message can arrive after this. */
  private readonly gone: Promise<void>;
  private stoppedReported?: () => void;
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    let exitReason = 'agent host process exited';
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exitReason = `agent host process exited (${signal ?? `code ${code}`})`;
        resolve();
      }),
    );
    // 'exit' can overtake messages still in the pipe; 'disconnect' comes after them.
    const disconnected = new Promise<void>((resolve) => child.once('disconnect', () => resolve()));
    this.gone = Promise.all([exited, disconnected]).then(() => undefined);
    child.on('message', (message: FromAgent) => this.dispatch(message));
    void this.gone.then(() => {
      this.exited = true;
      for (const pending of this.pendingOpens.values()) pending.reject(new Error(exitReason));
      this.pendingOpens.clear();
      for (const done of this.pendingDetaches.values()) done();
      this.pendingDetaches.clear();
      if (!this.stopRequested) for (const listener of this.listeners.values()) listener.lost(exitReason);
      this.listeners.clear();
    });
  }

  static launch(label: string): Promise<AgentHostProcess> {
    const child = fork(AGENT_ENTRY, [], {
      execArgv: ['--import', tsxLoaderUrl()],
      env: { ...process.env, CMDOP_AGENT_HOST: label },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host = new AgentHostProcess(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agent host ${label} did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onMessage = (message: FromAgent): void => {
        if (message.type !== 'ready') return;
        cleanup();
        resolve(host);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`agent host ${label} exited during start (code ${code})`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isAlive(): boolean {
    return !this.exited && !this.stopRequested;
  }

  /** Machines attached now. */
  get load(): number {
    return this.listeners.size;
  }

  attach(identity: AgentIdentity, listener: AgentListener): MachineAgent {
    const key = machineKey(identity);
    this.listeners.set(key, listener);
    this.send({ type: 'attach', machine: identity });
    return new MachineAgent(this, key);
  }

  async detach(key: string): Promise<void> {
    if (!this.listeners.has(key)) return;
    const done = new Promise<void>((resolve) => this.pendingDetaches.set(key, resolve));
    this.send({ type: 'detach', machine: key });
    // A host that does not answer (stuck PTY teardown) must not hold a machine online forever.
    const timer = setTimeout(() => this.pendingDetaches.get(key)?.(), 3000);
    await done;
    clearTimeout(timer);
    this.pendingDetaches.delete(key);
    this.listeners.delete(key);
    for (const [sessionId, machine] of this.sessionMachines) if (machine === key) this.sessionMachines.delete(sessionId);
  }

  open(spec: OpenSessionSpec): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingOpens.delete(spec.sessionId);
        reject(new Error(`agent did not open the session within ${OPEN_TIMEOUT_MS} ms`));
      }, OPEN_TIMEOUT_MS);
      this.pendingOpens.set(spec.sessionId, {
        resolve: (pid) => (clearTimeout(timer), resolve(pid)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      this.sessionMachines.set(spec.sessionId, spec.machine ?? '');
      this.send({ type: 'open', spec });
    });
  }

  send(message: ToAgent): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks the host to hang up every shell and exit; kills it if it does not. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopRequested = true;
    const reported = new Promise<void>((resolve) => (this.stoppedReported = resolve));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await Promise.race([reported, this.gone]);
    await this.gone;
    clearTimeout(timer);
  }

  private listenerOf(sessionId: string): AgentListener | undefined {
    const key = this.sessionMachines.get(sessionId);
    return key === undefined ? undefined : this.listeners.get(key);
  }

  private dispatch(message: FromAgent): void {
    switch (message.type) {
      case 'opened':
      case 'open-failed': {
        const pending = this.pendingOpens.get(message.sessionId);
        this.pendingOpens.delete(message.sessionId);
        if (message.type === 'opened') pending?.resolve(message.pid);
        else {
          this.sessionMachines.delete(message.sessionId);
          pending?.reject(new Error(message.message));
        }
        return;
      }
      case 'output':
        return this.listenerOf(message.sessionId)?.output(message.sessionId, message.data);
      case 'exit': {
        const listener = this.listenerOf(message.sessionId);
        this.sessionMachines.delete(message.sessionId);
        return listener?.exit(message.sessionId, message.exitCode, message.signal);
      }
      case 'detached':
        return this.pendingDetaches.get(message.machine)?.();
      case 'stopped':
        return this.stoppedReported?.();
      case 'ready':
        return;
    }
  }
}

/**
 * A few agent-host processes for all online machines: a machine goes to the least loaded host with
 * room, a new host is started when all are full. Hosts are shared, so a thousand online machines cost
 * a handful of processes; each session is still its own PTY, spawned when it is opened. Machines started
 * together are dealt across the hosts prepared for them (prepare()), so neighbours in a fleet do not queue
 * on one host's single thread while the others idle: on a real fleet every machine has its own CPU.
 */
export class AgentHostPool {
  private readonly hosts: AgentHostProcess[] = [];
  private launching: Promise<AgentHostProcess> | undefined;
  private launched = 0;

  constructor(private readonly machinesPerHost: number) {}

  async attach(identity: AgentIdentity, listener: AgentListener): Promise<MachineAgent> {
    for (;;) {
      const alive = this.hosts.filter((h) => h.isAlive);
      const roomy = alive.filter((h) => h.load < this.machinesPerHost).sort((a, b) => a.load - b.load)[0];
      // Attached in the same tick the room was seen, so machines started together cannot overfill a host.
      if (roomy) return roomy.attach(identity, listener);
      // One launch at a time: machines started together fill the new host instead of each forking one.
      if (!this.launching) {
        const label = `#${++this.launched}`;
        this.launching = AgentHostProcess.launch(label)
          .then((host) => (this.hosts.push(host), host))
          .finally(() => (this.launching = undefined));
      }
      await this.launching;
    }
  }

  get processCount(): number {
    return this.hosts.filter((h) => h.isAlive).length;
  }

  /** Starts, side by side, the hosts `machines` more machines will need beyond the room the running ones have. */
  async prepare(machines: number): Promise<void> {
    const alive = this.hosts.filter((h) => h.isAlive);
    const room = alive.reduce((sum, h) => sum + Math.max(0, this.machinesPerHost - h.load), 0);
    const missing = Math.ceil(Math.max(0, machines - room) / this.machinesPerHost);
    const launched = await Promise.all(Array.from({ length: missing }, () => AgentHostProcess.launch(`#${++this.launched}`)));
    this.hosts.push(...launched);
  }

  async close(): Promise<void> {
    const hosts = this.hosts.splice(0);
    await Promise.all(hosts.map((h) => h.stop()));
  }
}
