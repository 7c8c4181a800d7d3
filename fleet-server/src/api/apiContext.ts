import type { ApiKeyStore } from '../auth/apiKeyStore';
import type { CredentialResolver } from '../auth/credentialResolver';
import type { AuditLog } from '../audit/auditLog';
import type { Fleet, FleetDirectory } from '../fleet/fleetDirectory';

/** What the REST handlers need from the rest of the server. */
export interface ApiContext {
  directory: FleetDirectory;
  resolver: CredentialResolver;
  apiKeys: ApiKeyStore;
  audit: AuditLog;
  relayFor(fleet: Fleet): string;
  adminToken: string;
  stopMachine(fleetId: string, hostname: string): Promise<void>;
  startMachine(fleetId: string, hostname: string): Promise<void>;
  /** Serve only upstream CMDOP's REST shape: this project's additions (the machine list's `cursor`) are ignored. */
  upstreamOnly?: boolean;
  /** Fault injection for tests and the dev launcher (admin routes). */
  faults: FaultControls;
}

export interface FaultControls {
  /** Drops every open relay stream and refuses new relay calls for `seconds`; returns how many streams were dropped. */
  relayOutage(seconds: number): number;
  /** Revokes a fleet key now and ends the relay streams it opened; undefined when there is no such key. */
  revokeKey(fleetId: string, name: string): { streamsEnded: number } | undefined;
  /** Revokes every OAuth grant and token of an account now and ends its relay streams. */
  revokeAccount(email: string): { tokensRevoked: number; streamsEnded: number };
  /** Expires the account's access tokens now (refresh tokens stay good) and ends its relay streams. */
  expireAccessTokens(email: string): { tokensExpired: number; streamsEnded: number };
  refreshStats(): { succeeded: number; refused: number };
  /**
   * This project's addition: the relays restart in place — every call ends, every session is hung up and forgotten,
   * and they listen again on the same ports. Resolves once they listen, with how many live sessions were dropped.
   */
  restartRelays(): Promise<{ sessionsDropped: number }>;
}
