import type { Role } from '../seed/seedTypes';

/** Guests observe: they may list and look, never type into a machine. */
export function canOperateMachines(role: Role): boolean {
  return role !== 'Guest';
}

export function canManageFleet(role: Role): boolean {
  return role === 'Owner' || role === 'Admin';
}

/** What an API key acts as inside its own fleet. */
export const API_KEY_ROLE: Role = 'Member';
