import type { Credential, CredentialSource } from '../credentials/credential';
import { Emitter } from '../emitter';
import { type Endpoints, endpointsFingerprint, type Mode } from '../credentials/endpoints';
import { CmdopError, CredentialRefusedError, NotSignedInError } from '../errors';
import type { FleetApi, FleetInfo } from './fleetApi';
import type { FleetKeyStore } from '../credentials/fleetKeys';
import type { LegacyImporter } from '../credentials/legacyImport';
import type { TokenKeeper } from '../oauth/tokenKeeper';
import { type Resolution, resolveCredential } from '../credentials/resolver';
import type { StateStore } from '../windows/storage';

/** What the status bar and every call need: who we are, which fleet, with which credential. */
export interface ActiveContext {
  credential: Credential;
  fleet: FleetInfo;
  /** e-mail for OAuth, `apikey:<name>` for a key. */
  identity: string;
  /** Epoch ms when the credential stops working, if it ever does. */
  expiresAt?: number;
  skipped: string[];
}

/** What the server says about a fleet API key. */
export interface LearnedKey {
  fleet: FleetInfo;
  keyName: string;
  expiresAt?: number;
  lastUsedAt?: number;
}

export type ContextChange = 'credentials' | 'refreshed';

export interface FleetChoice {
  fleet: FleetInfo;
  sources: CredentialSource[];
}

export interface FleetContextDeps {
  mode: Mode;
  endpoints: Endpoints;
  env: Readonly<Record<string, string | undefined>>;
  settingFleet(): string | undefined;
  state: StateStore;
  keys: FleetKeyStore;
  legacy: LegacyImporter;
  keeper: TokenKeeper;
  api: FleetApi;
}

/** Ties the resolver to the server: learns which fleet a credential reaches and which relay serves that fleet. */
export class FleetContext {
  private readonly changes = new Emitter<ContextChange>();
  /** 'credentials': who or which fleet may have changed; 'refreshed': only the OAuth token was renewed. */
  readonly onDidChange = this.changes.event;
  private readonly keyFleets = new Map<string, Promise<LearnedKey>>();
  /** The endpoints this context's credentials must have been issued for (fixed for its lifetime: a change of mode or endpoints builds a new one). */
  private get boundTo(): string {
    return endpointsFingerprint(this.deps.mode, this.deps.endpoints);
  }
  private oauthFleets: { token: string; fleets: Promise<FleetInfo[]> } | undefined;

  constructor(private readonly deps: FleetContextDeps) {
    deps.keys.onDidChange(() => this.changes.fire('credentials'));
    deps.keeper.onDidChange(({ reason }) => this.changes.fire(reason === 'refreshed' ? 'refreshed' : 'credentials'));
    // A refused OAuth token may mean the session was revoked or the identity provider forgot it: the keeper asks
    // the provider, and a session that is over ends in every window (status bar, tree, Accounts menu) at once.
    deps.api.onCredentialRefused?.((credential) => {
      if (credential.kind === 'oauth') void deps.keeper.serverRefused(credential.secret).catch(() => undefined);
    });
    deps.state.onDidChange?.((key) => {
      if (key === this.activeKey) this.changes.fire('credentials');
    });
  }

  /** Call when settings or the environment may have changed the answer. */
  refresh(): void {
    this.changes.fire('credentials');
  }

  activeFleetId(): string | undefined {
    return this.deps.state.get<string>(this.activeKey);
  }

  async setActiveFleet(fleetId: string): Promise<void> {
    await this.deps.state.update(this.activeKey, fleetId);
    this.changes.fire('credentials');
  }

  /** The credential and fleet the resolver picks now; undefined when signed out and nothing else applies. */
  async current(request: { explicitKey?: string; fleetId?: string } = {}): Promise<ActiveContext> {
    const resolution = await resolveCredential(this.sources(), request);
    return this.describe(resolution, request.fleetId);
  }

  /** The OAuth access token to use right now (refreshed when close to expiry); cheap to call per request. */
  async oauthAccessToken(): Promise<string> {
    const session = await this.deps.keeper.session();
    if (!session) throw new NotSignedInError();
    return session.accessToken;
  }

  /** A relay refused the OAuth access token as expired: get a new one (a no-op if another call already did). */
  async oauthTokenRejected(accessToken: string): Promise<void> {
    await this.deps.keeper.renewRejected(accessToken);
  }

  /** Every fleet reachable with some credential, each with the sources that reach it. */
  async choices(): Promise<FleetChoice[]> {
    const byId = new Map<string, FleetChoice>();
    const add = (fleet: FleetInfo, source: CredentialSource) => {
      const entry = byId.get(fleet.id) ?? { fleet, sources: [] };
      if (!entry.sources.includes(source)) entry.sources.push(source);
      byId.set(fleet.id, entry);
    };
    const envKey = this.deps.env.CMDOP_API_KEY?.trim();
    if (envKey) {
      const learned = await this.learnKey({ kind: 'apiKey', source: 'env', secret: envKey }).catch(() => undefined);
      if (learned) add(learned.fleet, 'env');
    }
    for (const info of this.deps.keys.list()) {
      if (info.boundTo && info.boundTo !== this.boundTo) continue; // added for other endpoints: not offered here
      add({ id: info.fleetId, name: info.fleetName, role: 'Member', relay: info.relay ?? this.deps.endpoints.relay }, 'active');
    }
    const session = await this.deps.keeper.session().catch(() => undefined);
    if (session) {
      const credential: Credential = { kind: 'oauth', source: 'oauth', secret: session.accessToken, account: session.account.label };
      for (const fleet of await this.fleetsOf(credential).catch(() =>
        session.fleets.map((f) => ({ ...f, relay: this.deps.endpoints.relay })),
      )) {
        add(fleet, 'oauth');
      }
    }
    return [...byId.values()].sort((a, b) => a.fleet.name.localeCompare(b.fleet.name));
  }

  /** Where the active fleet of a mode is kept (globalState, shared live between windows by SharedState). */
  static activeFleetKey(mode: Mode): string {
    return `cmdop.activeFleet.${mode}`;
  }

  private get activeKey(): string {
    return FleetContext.activeFleetKey(this.deps.mode);
  }

  private sources() {
    const { deps } = this;
    return {
      env: deps.env,
      settingFleet: deps.settingFleet,
      activeFleetId: () => this.activeFleetId(),
      keys: deps.keys,
      legacy: deps.legacy,
      oauth: {
        session: async () => {
          const s = await deps.keeper.session();
          return s && { accessToken: s.accessToken, account: s.account.label, fleetIds: s.fleets.map((f) => f.id) };
        },
      },
      boundTo: this.boundTo,
      keyFleet: async (secret: string) => (await this.learnKey({ kind: 'apiKey', source: 'env', secret })).fleet.id,
    };
  }

  private async describe(resolution: Resolution, wanted?: string): Promise<ActiveContext> {
    const { credential, skipped } = resolution;
    if (credential.kind === 'apiKey') {
      const stored = credential.fleetId ? this.deps.keys.list().find((k) => k.fleetId === credential.fleetId) : undefined;
      const learned = await this.learnKey(credential);
      if (stored && stored.fleetId !== learned.fleet.id) {
        throw new CredentialRefusedError(
          credential.source,
          `the server says this key belongs to fleet "${learned.fleet.name}", not "${stored.fleetName}"`,
        );
      }
      return { credential, fleet: learned.fleet, identity: `apikey:${learned.keyName}`, expiresAt: learned.expiresAt, skipped };
    }
    const session = await this.deps.keeper.peek();
    const fleets = await this.fleetsOf(credential);
    const preferred = [wanted, this.activeFleetId(), this.deps.settingFleet()].filter((v): v is string => !!v);
    const fleet = preferred.map((p) => fleets.find((f) => f.id === p || f.name === p)).find((f) => f) ?? fleets[0];
    if (!fleet)
      throw new CmdopError(`${credential.account} is not a member of any fleet. Ask a fleet owner to invite you, or add a fleet API key.`);
    return { credential, fleet, identity: credential.account, expiresAt: session?.expiresAt, skipped };
  }

  /** Asks the server which fleet a key belongs to (cached per key for this window's life). */
  learnKey(credential: Credential): Promise<LearnedKey> {
    let known = this.keyFleets.get(credential.secret);
    if (!known) {
      known = this.deps.api.whoami(credential).then((who) => {
        if (who.kind !== 'api_key') throw new CredentialRefusedError(credential.source, 'it is not a fleet API key');
        const expiresAt = who.key.expires_at ? Date.parse(who.key.expires_at) : undefined;
        const lastUsedAt = who.key.last_used_at ? Date.parse(who.key.last_used_at) : undefined;
        return { fleet: { ...who.fleet, role: 'Member' as const }, keyName: who.key.name, expiresAt, lastUsedAt };
      });
      known.catch(() => this.keyFleets.delete(credential.secret));
      this.keyFleets.set(credential.secret, known);
    }
    return known;
  }

  private fleetsOf(credential: Credential): Promise<FleetInfo[]> {
    if (this.oauthFleets?.token !== credential.secret) {
      const fleets = this.deps.api.fleets(credential);
      fleets.catch(() => (this.oauthFleets = undefined));
      this.oauthFleets = { token: credential.secret, fleets };
    }
    return this.oauthFleets.fleets;
  }
}
