/**
 * Entry point of one machine agent process. The relay forks it and talks to
 * it over the IPC channel; this process owns the machine's PTYs, so stopping
 * the machine is killing this process.
 */
import { AGENT_IDENTITY_ENV, type AgentIdentity, type FromAgent, type ToAgent } from './agentProtocol';
import { PtyHost } from './ptyHost';

function main(): void {
  const send = process.send?.bind(process);
  const identityJson = process.env[AGENT_IDENTITY_ENV];
  if (!send || !identityJson) {
    console.error('agentMain must be forked by the fleet server (IPC channel and identity required).');
    process.exit(2);
  }
  const identity = JSON.parse(identityJson) as AgentIdentity;
  const post = (message: FromAgent): void => {
    if (process.connected) send(message);
  };
  const host = new PtyHost(identity, post);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void host.shutdown().finally(() => {
      // Exit only once the exit reports are written, or the relay would lose them.
      if (process.connected) send({ type: 'stopped' } satisfies FromAgent, undefined, {}, () => process.exit(0));
      else process.exit(0);
    });
  };

  process.on('message', (message: ToAgent) => {
    switch (message.type) {
      case 'open':
        return host.open(message.spec);
      case 'input':
        return host.input(message.sessionId, message.data);
      case 'resize':
        return host.resize(message.sessionId, message.cols, message.rows);
      case 'signal':
        return host.signal(message.sessionId, message.signal);
      case 'close':
        return host.close(message.sessionId, message.force);
      case 'shutdown':
        return stop();
    }
  });
  // The relay went away (crash or exit): an agent without a relay must not linger.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  post({ type: 'ready', pid: process.pid });
}

main();
