// The object graph of one mode (prod or dev), built in one place from plain inputs: the extension passes what it
// read from VS Code's settings and secret storage, the integration tests pass an in-memory stand-in, and both get
// the same graph. A change of mode, endpoints or CA builds a new one and disposes the old.
import { join } from 'node:path';
import { caSettingOf, type Endpoints, endpointsFingerprint, type Mode, readCaFile, readRelayCaFiles } from './credentials/endpoints';
import { FleetKeyStore } from './credentials/fleetKeys';
import { type LegacyFile, LegacyImporter, legacyCandidates } from './credentials/legacyImport';
import { FleetApi } from './fleet/fleetApi';
import { FleetContext } from './fleet/fleetContext';
import type { ProxySettings } from './network/proxy';
import { loggingFetch, type RequestLogger } from './network/requestLog';
import { tlsFetch } from './network/tls';
import { FileLease } from './oauth/fileLease';
import { OpenIdProvider } from './oauth/oidcClient';
import { keepSessionFresh } from './oauth/refreshScheduler';
import { SessionStore } from './oauth/sessionStore';
import { TokenKeeper } from './oauth/tokenKeeper';
import type { RelayTls } from './relay/relayClient';
import { RelayPool } from './relay/relayPool';
import { SharedState } from './windows/sharedState';
import type { SecretStore, StateStore } from './windows/storage';

export interface ModeLog extends RequestLogger {
  info(message: string): void;
}

/** Everything a mode's services take from outside: settings as read, the stores, and the few questions to ask. */
export interface ModeInputs {
  mode: Mode;
  endpoints: Endpoints;
  env: Readonly<Record<string, string | undefined>>;
  secrets: SecretStore;
  state: StateStore;
  /** A folder every window of this profile shares: the refresh election's lock file lives there (see FileLease). */
  sharedDir: string;
  /** The cmdop.fleet setting, read when needed. */
  settingFleet(): string | undefined;
  /** VS Code's proxy settings, read on every request so a change needs no reload. */
  proxy(): ProxySettings;
  /** Asks once whether keys found in the retired plaintext file may be imported. */
  confirmLegacyImport(file: LegacyFile): Promise<boolean>;
  log: ModeLog;
  /** Where the retired plaintext key file may be; by default the places the old extension wrote it. */
  legacyFiles?: string[];
}

export interface ModeServices {
  mode: Mode;
  endpoints: Endpoints;
  idp: OpenIdProvider;
  keeper: TokenKeeper;
  keys: FleetKeyStore;
  fleets: FleetContext;
  api: FleetApi;
  /** This mode's relay channels, with its CAs; dropped when the credentials change and on dispose. */
  pool: RelayPool;
  dispose(): void;
}

export function buildModeServices(inputs: ModeInputs): ModeServices {
  const { mode, endpoints, env, secrets, state, log } = inputs;
  // A CA file for the mode is trusted by REST, the identity provider and the relays (a relay's own CA file first).
  const tls: RelayTls = { ca: readCaFile(mode, endpoints), caSetting: caSettingOf(mode) };
  const relayCas = readRelayCaFiles(mode, endpoints);
  const requests = loggingFetch(log, tlsFetch({ ...tls, proxy: inputs.proxy, env, onProxy: (line) => log.info(`HTTP: ${line}`) }));
  const idp = new OpenIdProvider(endpoints.issuer, endpoints.clientId, requests);
  const boundTo = endpointsFingerprint(mode, endpoints);
  // Windows elect the refreshing one through a lock file in the folder they share (atomic, unlike SecretStorage).
  const election = new FileLease(join(inputs.sharedDir, `refresh-${mode}.lock`));
  const keeper = new TokenKeeper({ store: new SessionStore(secrets, mode, boundTo), idp, election });
  const keys = new FleetKeyStore(secrets, state, boundTo);
  const api = new FleetApi(endpoints.api, requests);
  // The active fleet is followed by every window at once, like the keys (see SharedState).
  const shared = new SharedState(secrets, state, [FleetContext.activeFleetKey(mode)]);
  const fleets: FleetContext = new FleetContext({
    mode,
    endpoints,
    env,
    settingFleet: inputs.settingFleet,
    state: shared,
    keys,
    legacy: new LegacyImporter({
      state,
      keys,
      candidates: inputs.legacyFiles ?? legacyCandidates(env),
      confirm: inputs.confirmLegacyImport,
      setActiveFleet: (fleetId) => fleets.setActiveFleet(fleetId),
      log: (line) => log.info(line),
    }),
    keeper,
    api,
  });
  const pool = new RelayPool({
    log,
    tlsFor: (address) => relayCas.get(address) ?? tls,
    onCredentialsChange: (listener) => fleets.onDidChange((change) => change === 'credentials' && listener()),
  });
  const freshness = keepSessionFresh(keeper);
  log.info(`Mode ${mode}: issuer ${endpoints.issuer}, API ${endpoints.api}, relay ${endpoints.relay}`);
  return {
    mode,
    endpoints,
    idp,
    keeper,
    keys,
    fleets,
    api,
    pool,
    dispose: () => {
      freshness.dispose();
      pool.dispose();
      keeper.dispose();
      keys.dispose();
      shared.dispose();
    },
  };
}
