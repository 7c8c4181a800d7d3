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
}
