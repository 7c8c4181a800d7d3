import { type ApiKeyCredential, type Credential, looksLikeApiKey } from './credential';
import { CredentialForOtherEndpointsError, InvalidApiKeyFormatError, NoCredentialForFleetError, NotSignedInError } from '../errors';
import type { StoredKeyInfo } from './fleetKeys';

export interface ResolverSources {
  /** The extension host's environment; only CMDOP_API_KEY is read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The `cmdop.fleet` setting (fleet name or id), if any. */
  settingFleet(): string | undefined;
  activeFleetId(): string | undefined;
  keys: {
    find(fleetIdOrName: string): StoredKeyInfo | undefined;
    secretFor(fleetId: string): Promise<string | undefined>;
  };
  /** Imports a legacy ssh_workspaces.json once; returns the key that became usable, if any. */
  legacy: { importOnce(): Promise<{ fleetId: string; secret: string } | undefined> };
  oauth: { session(): Promise<{ accessToken: string; account: string; fleetIds: string[] } | undefined> };
  /** The current endpoints (endpointsFingerprint): a stored key bound to other endpoints is never sent. */
  boundTo?: string;
  /** The fleet an env or explicit key belongs to, as the server reports it. */
  keyFleet(secret: string): Promise<string>;
}

export interface ResolveRequest {
  /** A key passed explicitly by a command invocation (automation, tasks). */
  explicitKey?: string;
  /**
   * The fleet the call goes to. When set, credentials bound to another fleet are skipped, so a fleet's
   * key is never sent to another fleet's server. When unset, the winner decides the fleet.
   */
  fleetId?: string;
}

export interface Resolution {
  credential: Credential;
  /** Why each earlier step did not win, for the log; never holds a secret. */
  skipped: string[];
}

/**
 * Picks the credential for a call, in the order of the CMDOP CLI's resolver:
 * explicit key > CMDOP_API_KEY > the cmdop.fleet setting's stored key > the active fleet's stored key
 * > one-shot legacy import > OAuth session.
 */
export async function resolveCredential(sources: ResolverSources, request: ResolveRequest = {}): Promise<Resolution> {
  const skipped: string[] = [];
  const found = (credential: Credential): Resolution => ({ credential, skipped });

  const target = request.fleetId;
  const fits = (fleetId: string | undefined) => !target || fleetId === target;

  const given = await givenKey(sources, request, fits, skipped);
  if (given) return found(given);
  const stored = await storedKey(sources, target, fits, skipped);
  if (stored.credential) return found(stored.credential);

  const imported = await sources.legacy.importOnce();
  if (imported && fits(imported.fleetId))
    return found({ kind: 'apiKey', source: 'legacy', secret: imported.secret, fleetId: imported.fleetId });
  skipped.push(imported ? 'legacy: imported key is for another fleet' : 'legacy: nothing to import');

  const session = await sources.oauth.session();
  if (session && (!target || session.fleetIds.includes(target))) {
    return found({ kind: 'oauth', source: 'oauth', secret: session.accessToken, account: session.account });
  }
  skipped.push(session ? `oauth: not a member of fleet "${target}"` : 'oauth: not signed in');

  if (stored.elsewhere) throw new CredentialForOtherEndpointsError(stored.elsewhere);
  throw target ? new NoCredentialForFleetError(target) : new NotSignedInError();
}

type Fits = (fleetId: string | undefined) => boolean;

/** A key passed to the command, else CMDOP_API_KEY, when it reaches the target fleet. */
async function givenKey(sources: ResolverSources, request: ResolveRequest, fits: Fits, skipped: string[]): Promise<Credential | undefined> {
  const target = request.fleetId;
  for (const [source, raw, origin] of [
    ['explicit', request.explicitKey, 'The API key passed to the command'],
    ['env', sources.env.CMDOP_API_KEY, 'CMDOP_API_KEY'],
  ] as const) {
    const secret = raw?.trim();
    if (!secret) {
      skipped.push(`${source}: not set`);
      continue;
    }
    if (!looksLikeApiKey(secret)) throw new InvalidApiKeyFormatError(origin);
    const fleetId = target ? await sources.keyFleet(secret) : undefined;
    if (fits(fleetId)) return { kind: 'apiKey', source, secret, fleetId };
    skipped.push(`${source}: key belongs to another fleet`);
  }
  return undefined;
}

/**
 * The stored key of the cmdop.fleet setting's fleet, else of the active (or target) fleet. `elsewhere` names a
 * fleet whose key was passed over because it was added for other endpoints: if nothing else resolves, the error says so.
 */
async function storedKey(
  sources: ResolverSources,
  target: string | undefined,
  fits: Fits,
  skipped: string[],
): Promise<{ credential?: ApiKeyCredential; elsewhere?: string }> {
  // Keys added for other endpoints are passed over; if nothing else resolves, the error says so.
  let elsewhere: string | undefined;
  const keyOf = async (fleet: string, source: 'setting' | 'active'): Promise<ApiKeyCredential | undefined> => {
    const info = sources.keys.find(fleet);
    if (!info) return undefined;
    if (info.boundTo && sources.boundTo && info.boundTo !== sources.boundTo) {
      elsewhere ??= info.fleetName;
      skipped.push(`${source}: the key of "${info.fleetName}" was added for other endpoints`);
      return undefined;
    }
    const secret = await sources.keys.secretFor(info.fleetId);
    return secret ? { kind: 'apiKey', source, secret, fleetId: info.fleetId } : undefined;
  };

  const settingFleet = sources.settingFleet()?.trim();
  if (settingFleet) {
    const stored = await keyOf(settingFleet, 'setting');
    if (stored && fits(stored.fleetId)) return { credential: stored };
    skipped.push(stored ? 'setting: its fleet is not the target' : `setting: no stored key for fleet "${settingFleet}"`);
  } else {
    skipped.push('setting: cmdop.fleet not set');
  }

  const activeFleet = target ?? sources.activeFleetId();
  if (activeFleet) {
    const stored = await keyOf(activeFleet, 'active');
    if (stored) return { credential: stored };
    skipped.push(`active: no stored key for fleet "${activeFleet}"`);
  } else {
    skipped.push('active: no active fleet');
  }
  return { elsewhere };
}
