import type * as grpc from '@grpc/grpc-js';
import type { TlsMaterial } from '../net/tlsMaterial';
import type { RelayName } from '../seed/seedTypes';
import { bindRelayServer, serveTerminalService } from './relayServer';
import type { RelayDeps } from './relayDeps';

interface Listener {
  server: grpc.Server;
  address: string;
  port: number;
}

/**
 * The relays' gRPC listeners, one per relay name. This project's addition: `restart` takes them down and binds the
 * same ports again, so clients reach a relay that has forgotten everything, as after a real relay restart.
 */
export class RelayListeners {
  private readonly listeners = new Map<RelayName, Listener>();
  private depsOf?: (relayName: RelayName, ownAddress: () => string) => RelayDeps;

  constructor(
    private readonly host: string,
    private readonly tls?: TlsMaterial,
  ) {}

  async bind(name: RelayName, port: number): Promise<void> {
    const { server, address } = await bindRelayServer(this.host, port, this.tls);
    this.listeners.set(name, { server, address, port: Number(address.slice(address.lastIndexOf(':') + 1)) });
  }

  addressOf(name: RelayName): string {
    const listener = this.listeners.get(name);
    if (!listener) throw new Error(`relay ${name} is not bound`);
    return listener.address;
  }

  /** Adds the terminal service to every bound relay; binding comes first so every relay's address is known. */
  serve(depsOf: (relayName: RelayName, ownAddress: () => string) => RelayDeps): void {
    this.depsOf = depsOf;
    for (const [name, { server, address }] of this.listeners)
      serveTerminalService(
        server,
        depsOf(name, () => address),
      );
  }

  /**
   * Stops listening and closes every connection once its calls have sent their status (the caller ended the streams
   * first, so clients see UNAVAILABLE as from a relay going down, not CANCELLED, which a client takes for its own
   * cancel); connections still busy after `graceMs` are cut.
   */
  async stopListening(graceMs = 2000): Promise<void> {
    const stopping = [...this.listeners.values()].map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          const cut = setTimeout(() => (server.forceShutdown(), resolve()), graceMs);
          server.tryShutdown(() => (clearTimeout(cut), resolve()));
        }),
    );
    await Promise.all(stopping);
  }

  /** Listens again on the same ports with the same service (after `stopListening`). */
  async listenAgain(): Promise<void> {
    const previous = [...this.listeners];
    for (const [name, { port }] of previous) await this.bind(name, port);
    if (this.depsOf) this.serve(this.depsOf);
  }

  close(): void {
    for (const { server } of this.listeners.values()) server.forceShutdown();
  }
}
