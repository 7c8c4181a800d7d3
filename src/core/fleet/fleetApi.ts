import { type Credential, describeSource } from '../credentials/credential';
import { Emitter } from '../emitter';
import { ApiError, CredentialRefusedError, ServerUnreachableError } from '../errors';
import type { Role } from '../oauth/tokens';

export interface FleetInfo {
  id: string;
  name: string;
  role: Role;
  /** host:port of the relay that serves this fleet (the per-fleet server override). */
  relay: string;
}

export interface Machine {
  id: string;
  name: string;
  hostname: string;
  os: string;
  is_online: boolean;
  status: string;
  last_seen: string | null;
  agent_version: string;
}

export interface MachinePage {
  count: number;
  results: Machine[];
  has_next: boolean;
  /** Keyset paging (this project's fleet server; absent from upstream): where the next page starts, null on the last. */
  next_cursor?: string | null;
}

export interface ApiKeyInfo {
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked?: boolean;
}

export type WhoAmI =
  | { kind: 'user'; email: string; name?: string; fleets: FleetInfo[] }
  | { kind: 'api_key'; key: ApiKeyInfo; fleet: Omit<FleetInfo, 'role'> };

/** The CMDOP REST API (machines, fleets, key metadata) over fetch. */
export class FleetApi {
  private readonly refusals = new Emitter<Credential>();
  /** The server refused a credential (HTTP 401), whatever the call: an OAuth session may be over. */
  readonly onCredentialRefused = this.refusals.event;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  whoami(credential: Credential): Promise<WhoAmI> {
    return this.get(credential, '/api/whoami');
  }

  fleets(credential: Credential): Promise<FleetInfo[]> {
    return this.get(credential, '/api/fleets/');
  }

  /**
   * One page of a fleet's machines. With `cursor` ('' for the first page, then next_cursor), pages continue after the
   * last machine seen (a server that has no cursors ignores it and answers by page number, without next_cursor).
   */
  machines(
    credential: Credential,
    fleetId: string,
    query: { page: number; pageSize: number; search?: string; cursor?: string },
  ): Promise<MachinePage> {
    const params = new URLSearchParams({ page: String(query.page), page_size: String(query.pageSize) });
    if (query.search) params.set('search', query.search);
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    return this.get(credential, `/api/fleets/${encodeURIComponent(fleetId)}/machines/?${params}`);
  }

  private async get<T>(credential: Credential, path: string): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        headers: { authorization: `Bearer ${credential.secret}`, accept: 'application/json' },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new ServerUnreachableError('API', this.baseUrl, err);
    }
    const body = (await response.json().catch(() => ({}))) as { detail?: string };
    if (response.ok) return body as T;
    const detail = typeof body.detail === 'string' ? body.detail : response.statusText;
    if (response.status === 401) {
      this.refusals.fire(credential);
      throw new CredentialRefusedError(credential.source, detail);
    }
    throw new ApiError(response.status, `${describeSource(credential.source)}: ${detail} (HTTP ${response.status})`);
  }
}
