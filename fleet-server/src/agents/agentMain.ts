/**
 * Entry point of one agent-host process: it serves many machines, each session a real PTY spawned on
 * demand. The relay forks a few of these and talks to them over the IPC channel.
 */
import { AGENT_IDENTITY_ENV, type AgentIdentity, type FromAgent, machineKey, type ToAgent } from './agentProtocol';
import { PtyHost } from './ptyHost';

function main(): void {
  const send = process.send?.bind(process);
  if (!send) {
    console.error('agentMain must be forked by the fleet server (IPC channel required).');
    process.exit(2);
  }
  const post = (message: FromAgent): void => {
    if (process.connected) send(message);
  };
  const machines = new Map<string, PtyHost>();
  /** Session id → the machine it runs on. */
  const sessions = new Map<string, PtyHost>();
  const attach = (identity: AgentIdentity, key = machineKey(identity)): void => {
    if (machines.has(key)) return;
    machines.set(
      key,
      new PtyHost(identity, (message) => {
        if (message.type === 'exit' || message.type === 'open-failed') sessions.delete(message.sessionId);
        post(message);
      }),
    );
  };
  const identityJson = process.env[AGENT_IDENTITY_ENV];
  const soleMachine = identityJson ? (JSON.parse(identityJson) as AgentIdentity) : undefined;
  if (soleMachine) attach(soleMachine, '');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.all([...machines.values()].map((host) => host.shutdown())).finally(() => {
      // Exit only once the exit reports are written, or the relay would lose them.
      if (process.connected) send({ type: 'stopped' } satisfies FromAgent, undefined, {}, () => process.exit(0));
      else process.exit(0);
    });
  };
  const bySession = (sessionId: string): PtyHost | undefined => sessions.get(sessionId);

  process.on('message', (message: ToAgent) => {
    switch (message.type) {
      case 'attach':
        return attach(message.machine);
      case 'detach': {
        const host = machines.get(message.machine);
        machines.delete(message.machine);
        if (!host) return post({ type: 'detached', machine: message.machine });
        void host.shutdown().finally(() => post({ type: 'detached', machine: message.machine }));
        return;
      }
      case 'open': {
        const host = machines.get(message.spec.machine ?? '');
        if (!host)
          return post({
            type: 'open-failed',
            sessionId: message.spec.sessionId,
            message: `machine ${message.spec.machine} is not attached to this agent host`,
          });
        sessions.set(message.spec.sessionId, host);
        return host.open(message.spec);
      }
      case 'input':
        return bySession(message.sessionId)?.input(message.sessionId, message.data);
      case 'resize':
        return bySession(message.sessionId)?.resize(message.sessionId, message.cols, message.rows);
      case 'signal':
        return bySession(message.sessionId)?.signal(message.sessionId, message.signal);
      case 'close':
        return bySession(message.sessionId)?.close(message.sessionId, message.force);
      case 'shutdown':
        return stop();
    }
  });
  // The relay went away (crash or exit): an agent host without a relay must not linger.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  post({ type: 'ready', pid: process.pid });
}

main();
