import type { Account } from 'oidc-provider';
import type { FleetDirectory } from '../fleet/fleetDirectory';

/** Scope → claims it releases. `fleets` is CMDOP's own scope. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  fleets: ['fleets'],
};

export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'fleets'];

/** Account ids are lower-cased emails. Claims are read live, so role changes show on the next token. */
export function findAccount(directory: FleetDirectory, accountId: string): Account | undefined {
  const user = directory.user(accountId);
  if (!user) return undefined;
  return {
    accountId,
    claims: () => ({
      sub: accountId,
      email: user.email,
      email_verified: true,
      name: user.name,
      fleets: directory.membershipsOf(accountId).map(({ fleet, role }) => ({ id: fleet.id, name: fleet.name, role })),
    }),
  };
}
