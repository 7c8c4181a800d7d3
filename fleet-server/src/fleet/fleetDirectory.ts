import { timingSafeEqual, createHash } from 'node:crypto';
import type { RelayName, Role, Seed, SeedUser } from '../seed/seedTypes';
import { Machine } from './machine';
import { MachineIndex } from './machineIndex';

export interface Fleet {
  id: string;
  name: string;
  relay: RelayName;
  members: ReadonlyMap<string, Role>;
  machines: Machine[];
  /** The machines by id, hostname and agent session id. */
  index: MachineIndex;
}

export interface Membership {
  fleet: Fleet;
  role: Role;
}

/** Who exists, which fleets they belong to, and which machines each fleet has. */
export class FleetDirectory {
  private readonly users = new Map<string, SeedUser>();
  private readonly fleets = new Map<string, Fleet>();

  constructor(seed: Seed) {
    for (const user of seed.users) this.users.set(user.email.toLowerCase(), user);
    for (const fleet of seed.fleets) {
      const machines = fleet.machines.map((m) => new Machine(fleet.id, m));
      this.fleets.set(fleet.id, {
        id: fleet.id,
        name: fleet.name,
        relay: fleet.relay ?? 'default',
        members: new Map(fleet.members.map((m) => [m.email.toLowerCase(), m.role])),
        machines,
        index: new MachineIndex(machines),
      });
    }
  }

  user(email: string): SeedUser | undefined {
    return this.users.get(email.toLowerCase());
  }

  /** Returns the user only when the password matches. */
  verifyPassword(email: string, password: string): SeedUser | undefined {
    const user = this.user(email);
    const expected = createHash('sha256')
      .update(user?.password ?? '\0no-user')
      .digest();
    const given = createHash('sha256').update(password).digest();
    return timingSafeEqual(expected, given) && user ? user : undefined;
  }

  fleet(id: string): Fleet | undefined {
    return this.fleets.get(id);
  }

  allFleets(): Fleet[] {
    return [...this.fleets.values()];
  }

  membershipsOf(email: string): Membership[] {
    const key = email.toLowerCase();
    return this.allFleets().flatMap((fleet) => {
      const role = fleet.members.get(key);
      return role ? [{ fleet, role }] : [];
    });
  }

  roleOf(email: string, fleetId: string): Role | undefined {
    return this.fleets.get(fleetId)?.members.get(email.toLowerCase());
  }

  machine(fleetId: string, ref: string): Machine | undefined {
    return this.fleets.get(fleetId)?.index.find(ref);
  }

  allMachines(): Machine[] {
    return this.allFleets().flatMap((f) => f.machines);
  }
}
