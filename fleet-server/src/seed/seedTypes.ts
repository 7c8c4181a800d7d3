export const ROLES = ['Owner', 'Admin', 'Member', 'Guest'] as const;
export type Role = (typeof ROLES)[number];

/** Relay names a fleet can be served by; each is its own gRPC port. */
export const RELAY_NAMES = ['default', 'staging'] as const;
export type RelayName = (typeof RELAY_NAMES)[number];

export interface SeedUser {
  email: string;
  name: string;
  password: string;
}

export interface SeedMember {
  email: string;
  role: Role;
}

export interface SeedMachine {
  hostname: string;
  name?: string;
  os: string;
  /** true: an agent is started for it, so it is online with real shells. */
  online: boolean;
  last_seen?: string;
  agent_version?: string;
  id?: string;
  /** A folder of the machine's home seeded with 10,000 files (made the first time the home is used). */
  bulk_folder?: string;
}

export interface SeedApiKey {
  name: string;
  secret: string;
  created_at: string;
  expires_at: string | null;
  revoked_at?: string | null;
}

export interface SeedFleet {
  id: string;
  name: string;
  relay?: RelayName;
  members: SeedMember[];
  machines: SeedMachine[];
  api_keys: SeedApiKey[];
}

export interface Seed {
  users: SeedUser[];
  fleets: SeedFleet[];
}
