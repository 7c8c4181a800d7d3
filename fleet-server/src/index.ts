import { randomBytes } from 'node:crypto';
import { AgentSupervisor } from './agents/agentSupervisor';
import { startRestServer } from './api/restServer';
import { AuditLog, type AuditEntry } from './audit/auditLog';
import { ApiKeyStore } from './auth/apiKeyStore';
import { CredentialResolver } from './auth/credentialResolver';
import { FleetDirectory, type Fleet } from './fleet/fleetDirectory';
import type { Machine } from './fleet/machine';
import { startIdentityProvider } from './idp/identityProvider';
import { RelayFaults } from './relay/relayFaults';
import { RelayError } from './relay/relayError';
import { RelayListeners } from './relay/relayListeners';
import { restartRelays } from './relay/relayRestart';
import { status } from '@grpc/grpc-js';
import type { FaultControls } from './api/apiContext';
import { withHostileMachines } from './seed/hostileMachines';
import { loadSeed, withScaleFleet } from './seed/loadSeed';
import { RELAY_NAMES, type RelayName, type Seed } from './seed/seedTypes';
import { generateTlsMaterial } from './net/tlsMaterial';
import { AgentSessions } from './sessions/agentSessions';
import { MachineHomes } from './files/machineHomes';
import { SessionRegistry } from './sessions/sessionRegistry';

export type { AuditEntry } from './audit/auditLog';
export type { Seed, Role } from './seed/seedTypes';
export { DEFAULT_SEED_PATH, SCALE_FLEET_ID } from './seed/loadSeed';
export { HOSTILE_FLEET_ID, HOSTILE_HOSTNAME, LONG_HOSTNAME } from './seed/hostileMachines';
export { TERMINAL_PROTO_PATH, PROTO_LOADER_OPTIONS } from './relay/terminalProto';

export const FLEET_SERVER_VERSION = 'cmdop-fleet-server/0.1.0';
/** How often each seeded log gets a line. */
const LOG_LINE_EVERY_MS = 5000;

export interface FleetServerOptions {
  seedPath?: string;
  host?: string;
  /**
   * The host name in the issuer and API URLs and in the TLS certificate (default: host); the listeners still
   * bind host. For a fleet server known by a name, e.g. reached through a proxy that resolves it.
   */
  publicHost?: string;
  ports?: { issuer?: number; api?: number; relay?: number; stagingRelay?: number };
  accessTokenTtlSeconds?: number;
  scaleMachines?: number;
  /** Machines of the scale fleet started online (the first N; the fleet lists max(scaleMachines, N)). */
  scaleOnline?: number;
  /** Machines served by one agent-host process (default 250). */
  machinesPerAgentHost?: number;
  adminToken?: string;
  log?: (line: string) => void;
  /** Bytes of output kept per session for replay and resume (default 1 MiB). */
  outputBufferBytes?: number;
  /** Relays serve only what an upstream CMDOP relay has; this project's extensions answer UNIMPLEMENTED. */
  upstreamOnly?: boolean;
  /** This project's addition: the relays delay every message and unary call this many ms each way, as across the internet. */
  latencyMs?: number;
  /** Generate a CA for this run and serve the identity provider, API and relays over TLS with certificates from it. */
  tls?: boolean;
  /** This project's addition, for tests: add machines with hostile names to acme-prod (seed/hostileMachines.ts). */
  hostileNames?: boolean;
}

export interface SessionSnapshot {
  id: string;
  hostname: string;
  command?: string;
  state: 'running' | 'closing' | 'ended';
  end?: { exitCode: number; signal: number; reason: string };
}

export interface FleetServer {
  issuer: string;
  apiUrl: string;
  /** fleet id → host:port of the relay that serves it. */
  relays: Record<string, string>;
  defaultRelay: string;
  clientId: string;
  /** With `tls`: the generated CA (PEM and a file holding it) that clients must trust. */
  tls?: { caPem: string; caFile: string };
  adminToken: string;
  seed: Seed;
  stopMachine(fleetId: string, hostname: string): Promise<void>;
  startMachine(fleetId: string, hostname: string): Promise<void>;
  /** Fault injection: relay outage and restart, key and OAuth revocation, refresh counts (also behind the admin routes). */
  faults: FaultControls;
  audit(fleetId: string): AuditEntry[];
  /** Terminal sessions of a fleet the relay knows (running and recently ended), for tests and benchmarks. */
  sessions(fleetId: string): SessionSnapshot[];
  /** Agent-host processes running now (each serves many machines). */
  agentHostProcesses(): number;
  /** A machine's home folder (its shells start there; its file RPCs reach only inside it). */
  homeOf(fleetId: string, hostname: string): string;
  /** This project's addition: changes the relays' `latencyMs` while running (benchmarks compare delays on one server). */
  setRelayLatency(ms: number): void;
  close(): Promise<void>;
}

/** Starts identity provider, REST API, relays and machine agents on loopback; everything stops with close(). */
export async function startFleetServer(options: FleetServerOptions = {}): Promise<FleetServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const loaded = withScaleFleet(loadSeed(options.seedPath), options.scaleMachines ?? 0, options.scaleOnline ?? 0);
  const seed = options.hostileNames ? withHostileMachines(loaded) : loaded;
  const directory = new FleetDirectory(seed);
  const apiKeys = new ApiKeyStore(seed);
  const audit = new AuditLog();
  const registry = new SessionRegistry();
  const homes = new MachineHomes(
    (fleetId, hostname) => seed.fleets.find((f) => f.id === fleetId)?.machines.find((m) => m.hostname === hostname)?.bulk_folder,
  );
  const supervisor = new AgentSupervisor(registry, {
    homes,
    outputBufferBytes: options.outputBufferBytes ?? 1024 * 1024,
    log,
    machinesPerHost: options.machinesPerAgentHost,
  });
  const agentSessions = new AgentSessions(supervisor, (id) => registry.get(id));
  const adminToken = options.adminToken ?? randomBytes(18).toString('base64url');
  const closers: (() => Promise<void>)[] = [];
  const publicHost = options.publicHost ?? host;
  const tls = options.tls ? generateTlsMaterial(publicHost, [host]) : undefined;

  // The seeded logs grow as live ones do (only in homes already made, of machines online).
  const logGrowth = setInterval(
    () =>
      void homes.growLogs(
        directory.allMachines().filter((m) => m.isOnline),
        'health check ok',
      ),
    LOG_LINE_EVERY_MS,
  );
  logGrowth.unref();

  const close = async (): Promise<void> => {
    clearInterval(logGrowth);
    await supervisor.stopAll(directory.allMachines());
    for (const closer of closers.reverse()) await closer().catch((err: Error) => log(`close: ${err.message}`));
    closers.length = 0;
    homes.close();
  };

  try {
    const idp = await startIdentityProvider({
      host,
      publicHost,
      port: options.ports?.issuer ?? 0,
      directory,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      log,
      tls,
    });
    closers.push(() => idp.close());
    const resolver = new CredentialResolver(directory, apiKeys, idp.checkAccessToken);

    const latency = { ms: options.latencyMs ?? 0 };
    const relayFaults = new RelayFaults();
    const faults: FaultControls = {
      relayOutage: (seconds) => relayFaults.outage(seconds),
      revokeKey: (fleetId, name) => {
        const key = apiKeys.revoke(fleetId, name);
        if (!key) return undefined;
        const error = new RelayError(
          status.UNAUTHENTICATED,
          `API key revoked: key "${name}" of fleet ${fleetId} was revoked; create a new key`,
        );
        return { streamsEnded: relayFaults.endWhere((p) => p.kind === 'api_key' && p.key === key, error) };
      },
      revokeAccount: (email) => {
        const tokensRevoked = idp.revokeAccount(email.toLowerCase());
        const error = new RelayError(status.UNAUTHENTICATED, 'access token revoked: sign in again');
        return {
          tokensRevoked,
          streamsEnded: relayFaults.endWhere((p) => p.kind === 'user' && p.accountId.toLowerCase() === email.toLowerCase(), error),
        };
      },
      expireAccessTokens: (email) => {
        const tokensExpired = idp.expireAccessTokens(email.toLowerCase());
        const error = new RelayError(status.UNAUTHENTICATED, 'access token expired: refresh it or sign in again');
        return {
          tokensExpired,
          streamsEnded: relayFaults.endWhere((p) => p.kind === 'user' && p.accountId.toLowerCase() === email.toLowerCase(), error),
        };
      },
      refreshStats: () => idp.refreshStats(),
      // Replaced below, once the relays listen.
      restartRelays: () => Promise.reject(new Error('the relays are not listening yet')),
    };

    const relayPorts: Record<RelayName, number> = { default: options.ports?.relay ?? 0, staging: options.ports?.stagingRelay ?? 0 };
    const listeners = new RelayListeners(host, tls);
    closers.push(async () => listeners.close());
    for (const name of RELAY_NAMES) await listeners.bind(name, relayPorts[name]);
    const relayAddressOf = (fleet: Fleet): string => listeners.addressOf(fleet.relay);
    listeners.serve((relayName, ownAddress) => ({
      relayName,
      directory,
      resolver,
      supervisor,
      registry,
      agentSessions,
      homes,
      upstreamOnly: options.upstreamOnly ?? false,
      audit,
      relayAddressOf,
      ownAddress,
      version: FLEET_SERVER_VERSION,
      log,
      faults: relayFaults,
      latencyMs: () => latency.ms,
    }));
    faults.restartRelays = () => restartRelays({ listeners, faults: relayFaults, registry, supervisor, directory });

    const machineOf = (fleetId: string, hostname: string): Machine => {
      const machine = directory.fleet(fleetId)?.machines.find((m) => m.hostname === hostname);
      if (!machine) throw new Error(`no machine ${hostname} in fleet ${fleetId}`);
      return machine;
    };
    const stopMachine = (fleetId: string, hostname: string): Promise<void> => supervisor.stop(machineOf(fleetId, hostname));
    const startMachine = (fleetId: string, hostname: string): Promise<void> => supervisor.start(machineOf(fleetId, hostname));

    const api = await startRestServer(
      {
        directory,
        resolver,
        apiKeys,
        audit,
        relayFor: relayAddressOf,
        adminToken,
        stopMachine,
        startMachine,
        faults,
        upstreamOnly: options.upstreamOnly,
      },
      { bind: host, public: publicHost },
      options.ports?.api ?? 0,
      log,
      tls,
    );
    closers.push(() => api.close());

    const seededOnline = seed.fleets.flatMap((f) => f.machines.filter((m) => m.online).map((m) => machineOf(f.id, m.hostname)));
    await supervisor.prepareHosts(seededOnline.length);
    await Promise.all(seededOnline.map((machine) => supervisor.start(machine)));

    return {
      issuer: idp.issuer,
      apiUrl: api.url,
      relays: Object.fromEntries(directory.allFleets().map((fleet) => [fleet.id, relayAddressOf(fleet)])),
      defaultRelay: listeners.addressOf('default'),
      clientId: idp.clientId,
      tls: tls ? { caPem: tls.caPem, caFile: tls.caFile } : undefined,
      adminToken,
      seed,
      stopMachine,
      startMachine,
      faults,
      audit: (fleetId) => audit.list(fleetId),
      sessions: (fleetId) =>
        registry
          .all(fleetId)
          .map((s) => ({ id: s.id, hostname: s.machine.hostname, command: s.origin.command, state: s.state, end: s.end })),
      agentHostProcesses: () => supervisor.hostProcessCount,
      homeOf: (fleetId, hostname) => homes.homeOf(machineOf(fleetId, hostname)),
      setRelayLatency: (ms) => (latency.ms = Math.max(0, ms)),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
