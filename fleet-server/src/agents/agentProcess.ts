import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AGENT_IDENTITY_ENV, type AgentIdentity, type FromAgent, type OpenSessionSpec, type ToAgent } from './agentProtocol';

export interface AgentListener {
  output(sessionId: string, data: Uint8Array): void;
  exit(sessionId: string, exitCode: number, signal: number): void;
  /** The process ended without being asked to. */
  lost(reason: string): void;
}

const AGENT_ENTRY = path.join(__dirname, 'agentMain.ts');
const START_TIMEOUT_MS = 20_000;
const OPEN_TIMEOUT_MS = 10_000;

/** tsx runs the agent's TypeScript in the child, whatever loader the parent was started with. */
function tsxLoaderUrl(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

/** The relay's handle on one forked machine agent process. */
export class AgentProcess {
  private readonly pendingOpens = new Map<string, { resolve: (pid: number) => void; reject: (err: Error) => void }>();
  private stopRequested = false;
  /** Exited and its IPC channel drained: no message can arrive after this. */
  private readonly gone: Promise<void>;
  private stoppedReported?: () => void;

  private constructor(
    private readonly child: ChildProcess,
    private readonly listener: AgentListener,
  ) {
    let exitReason = 'agent process exited';
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exitReason = `agent process exited (${signal ?? `code ${code}`})`;
        resolve();
      }),
    );
    // 'exit' can overtake messages still in the pipe; 'disconnect' comes after them.
    const disconnected = new Promise<void>((resolve) => child.once('disconnect', () => resolve()));
    this.gone = Promise.all([exited, disconnected]).then(() => undefined);
    child.on('message', (message: FromAgent) => this.dispatch(message));
    void this.gone.then(() => {
      for (const pending of this.pendingOpens.values()) pending.reject(new Error(exitReason));
      this.pendingOpens.clear();
      if (!this.stopRequested) listener.lost(exitReason);
    });
  }

  static launch(identity: AgentIdentity, listener: AgentListener): Promise<AgentProcess> {
    const child = fork(AGENT_ENTRY, [], {
      execArgv: ['--import', tsxLoaderUrl()],
      env: { ...process.env, [AGENT_IDENTITY_ENV]: JSON.stringify(identity) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const agent = new AgentProcess(child, listener);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agent for ${identity.hostname} did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onMessage = (message: FromAgent): void => {
        if (message.type !== 'ready') return;
        cleanup();
        resolve(agent);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`agent for ${identity.hostname} exited during start (code ${code})`));
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
      this.send({ type: 'open', spec });
    });
  }

  send(message: ToAgent): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks the agent to hang up its shells and exit; kills it if it does not. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopRequested = true;
    const reported = new Promise<void>((resolve) => (this.stoppedReported = resolve));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await Promise.race([reported, this.gone]);
    await this.gone;
    clearTimeout(timer);
  }

  private dispatch(message: FromAgent): void {
    switch (message.type) {
      case 'opened':
      case 'open-failed': {
        const pending = this.pendingOpens.get(message.sessionId);
        this.pendingOpens.delete(message.sessionId);
        if (message.type === 'opened') pending?.resolve(message.pid);
        else pending?.reject(new Error(message.message));
        return;
      }
      case 'output':
        return this.listener.output(message.sessionId, message.data);
      case 'exit':
        return this.listener.exit(message.sessionId, message.exitCode, message.signal);
      case 'stopped':
        return this.stoppedReported?.();
      case 'ready':
        return;
    }
  }
}
