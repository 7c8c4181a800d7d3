import { createHash } from 'node:crypto';

/** A UUID-shaped id derived from fleet and hostname, so it survives restarts. */
export function stableMachineId(fleetId: string, hostname: string): string {
  const hex = createHash('sha1').update(`cmdop-machine:${fleetId}/${hostname}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
