import * as vscode from 'vscode';
import {
  caSettingOf,
  endpointsFingerprint,
  endpointsFor,
  type Mode,
  parseMode,
  readCaFile,
  readRelayCaFiles,
} from './core/credentials/endpoints';
import type { RelayTls } from './core/relay/relayClient';
import { tlsFetch } from './core/network/tls';
import { FleetApi } from './core/fleet/fleetApi';
import { FleetContext } from './core/fleet/fleetContext';
import { FleetKeyStore } from './core/credentials/fleetKeys';
import { LegacyImporter, legacyCandidates } from './core/credentials/legacyImport';
import { OpenIdProvider } from './core/oauth/oidcClient';
import { keepSessionFresh } from './core/oauth/refreshScheduler';
import { SessionStore } from './core/oauth/sessionStore';
import { TokenKeeper } from './core/oauth/tokenKeeper';
import { loggingFetch } from './core/network/requestLog';
import { FileLease } from './core/oauth/fileLease';
import { SecretPeers } from './core/windows/secretPeers';
import { SharedState } from './core/windows/sharedState';
import type { SecretStore } from './core/windows/storage';
import { join } from 'node:path';
import { CmdopAuthenticationProvider } from './vscode/authProvider';
import { readProxySettings } from './vscode/proxySettings';

/** The object graph of one mode (prod or dev), built in one place. */
export interface ModeServices extends vscode.Disposable {
  mode: Mode;
  keeper: TokenKeeper;
  keys: FleetKeyStore;
  fleets: FleetContext;
  api: FleetApi;
  auth: CmdopAuthenticationProvider;
  /** The CA for a relay address: its own (relayCaFiles) or the mode's (RelayPool.setTls). */
  relayTls: (address: string) => RelayTls;
}

export function readMode(): Mode {
  return parseMode(vscode.workspace.getConfiguration('cmdop').get('mode'));
}

export function createModeServices(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  secrets: SecretStore = context.secrets,
): ModeServices {
  const config = vscode.workspace.getConfiguration('cmdop');
  const mode = readMode();
  const endpoints = endpointsFor(mode, config.get('endpoints'));
  const env = process.env;
  // A CA file for the mode is trusted by REST, the identity provider and (through relayTls) the relays.
  const tls: RelayTls = { ca: readCaFile(mode, endpoints), caSetting: caSettingOf(mode) };
  const relayCas = readRelayCaFiles(mode, endpoints);
  // http.proxy & co. are read on every request, so changing them needs no reload.
  const requests = loggingFetch(log, tlsFetch({ ...tls, proxy: readProxySettings, env, onProxy: (line) => log.info(`HTTP: ${line}`) }));
  const idp = new OpenIdProvider(endpoints.issuer, endpoints.clientId, requests);
  // Windows elect the refreshing one through a lock file next to the peers' sockets (see SecretPeers).
  const election = secrets instanceof SecretPeers ? new FileLease(join(secrets.dir, `refresh-${mode}.lock`)) : undefined;
  const boundTo = endpointsFingerprint(mode, endpoints);
  const keeper = new TokenKeeper({ store: new SessionStore(secrets, mode, boundTo), idp, election });
  const keys = new FleetKeyStore(secrets, context.globalState, boundTo);
  const api = new FleetApi(endpoints.api, requests);
  // Assigned below: the legacy importer and the fleet context refer to each other.
  // eslint-disable-next-line prefer-const
  let fleets: FleetContext;
  const legacy = new LegacyImporter({
    state: context.globalState,
    keys,
    candidates: legacyCandidates(env),
    confirm: async (file) => {
      const names = file.workspaces.map((w) => w.name).join(', ');
      const answer = await vscode.window.showInformationMessage(
        `CMDOP found fleet API keys in the retired plaintext file ${file.path} (${names}). Import them into VS Code's secret storage? You are asked only once; the file is left untouched.`,
        { modal: true },
        'Import',
        'Skip',
      );
      return answer === 'Import';
    },
    setActiveFleet: (fleetId) => fleets.setActiveFleet(fleetId),
    log: (line) => log.info(line),
  });
  // The active fleet is followed by every window at once, like the keys (see SharedState).
  const shared = new SharedState(secrets, context.globalState, [FleetContext.activeFleetKey(mode)]);
  fleets = new FleetContext({
    mode,
    endpoints,
    env,
    settingFleet: () => vscode.workspace.getConfiguration('cmdop').get<string>('fleet') || undefined,
    state: shared,
    keys,
    legacy,
    keeper,
    api,
  });
  const auth = new CmdopAuthenticationProvider(keeper, idp);
  const freshness = keepSessionFresh(keeper);
  log.info(`Mode ${mode}: issuer ${endpoints.issuer}, API ${endpoints.api}, relay ${endpoints.relay}`);
  return {
    mode,
    keeper,
    keys,
    fleets,
    api,
    auth,
    relayTls: (address) => relayCas.get(address) ?? tls,
    dispose: () => {
      freshness.dispose();
      auth.dispose();
      keeper.dispose();
      keys.dispose();
      shared.dispose();
    },
  };
}
