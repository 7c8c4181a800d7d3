export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  at: string;
  source_ip: string;
}

/** Per-fleet, in-memory, newest last; bounded so a chatty session cannot exhaust memory. */
export class AuditLog {
  private readonly entries = new Map<string, AuditEntry[]>();

  constructor(private readonly maxPerFleet = 10_000) {}

  record(fleetId: string, entry: Omit<AuditEntry, 'at'>): void {
    const list = this.entries.get(fleetId) ?? [];
    list.push({ ...entry, at: new Date().toISOString() });
    if (list.length > this.maxPerFleet) list.splice(0, list.length - this.maxPerFleet);
    this.entries.set(fleetId, list);
  }

  list(fleetId: string): AuditEntry[] {
    return [...(this.entries.get(fleetId) ?? [])];
  }
}
