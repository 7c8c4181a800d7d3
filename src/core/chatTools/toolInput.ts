/** What a model may pass to cmdop_listMachines, after checking. */
export interface ListMachinesInput {
  /** Fleet id or name; undefined means the active fleet. */
  fleet?: string;
  /** Hostname glob (`web-*`, `db-?`, several separated by commas); undefined means every machine. */
  hostname?: string;
  onlineOnly: boolean;
}

/** What a model may pass to cmdop_runCommand, after checking. */
export interface RunCommandInput {
  fleet?: string;
  /** Hostnames or globs, trimmed, without repeats, in the order given. */
  machines: string[];
  command: string;
  timeoutSeconds?: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export const MAX_PATTERNS = 100;
export const MAX_COMMAND_LENGTH = 4000;
export const MAX_TIMEOUT_SECONDS = 3600;

const HOST_PATTERN = /^[A-Za-z0-9._*?[\]!-]+$/;

/** Checks cmdop_listMachines input; problems are sentences a model can act on. */
export function checkListMachinesInput(raw: unknown): Checked<ListMachinesInput> {
  const input = asObject(raw);
  if (!input) return problem('The input must be an object such as { "hostname": "web-*" }.');
  const fleet = optionalText(input.fleet, 'fleet');
  if (typeof fleet === 'object') return fleet;
  const hostname = optionalText(input.hostname, 'hostname');
  if (typeof hostname === 'object') return hostname;
  if (hostname !== undefined) {
    const bad = hostname.split(/[\s,]+/).find((part) => part && !HOST_PATTERN.test(part));
    if (bad !== undefined) return problem(badPattern(bad));
  }
  if (input.onlineOnly !== undefined && typeof input.onlineOnly !== 'boolean') return problem('"onlineOnly" must be true or false.');
  return { ok: true, value: { fleet, hostname, onlineOnly: input.onlineOnly === true } };
}

/** Checks cmdop_runCommand input; problems are sentences a model can act on. */
export function checkRunCommandInput(raw: unknown): Checked<RunCommandInput> {
  const input = asObject(raw);
  if (!input) return problem('The input must be an object such as { "machines": ["web-*"], "command": "uptime" }.');
  const fleet = optionalText(input.fleet, 'fleet');
  if (typeof fleet === 'object') return fleet;
  if (!Array.isArray(input.machines) || input.machines.length === 0)
    return problem(
      '"machines" must be a non-empty list of hostnames or globs, e.g. ["web-1", "db-*"]. Use cmdop_listMachines to see the names.',
    );
  const machines: string[] = [];
  for (const entry of input.machines) {
    if (typeof entry !== 'string' || !entry.trim()) return problem('Every entry of "machines" must be a non-empty hostname or glob.');
    // "web-*, db-1" in one entry is two patterns, as in Run on Fleet.
    for (const part of entry.split(/[\s,]+/).filter(Boolean)) {
      if (!HOST_PATTERN.test(part)) return problem(badPattern(part));
      if (!machines.some((m) => m.toLowerCase() === part.toLowerCase())) machines.push(part);
    }
  }
  if (machines.length > MAX_PATTERNS)
    return problem(`At most ${MAX_PATTERNS} hostnames or globs at once; use a glob such as "web-*" for many machines.`);
  if (typeof input.command !== 'string' || !input.command.trim())
    return problem('"command" must be the shell command to run, e.g. "uptime".');
  const command = input.command.trim();
  if (command.length > MAX_COMMAND_LENGTH)
    return problem(`The command is ${command.length} characters long; at most ${MAX_COMMAND_LENGTH} are allowed.`);
  if (/[\r\n]/.test(command)) return problem('The command must be one line: join steps with "&&" or ";" instead of line breaks.');
  // Control characters would be typed into a shell (Ctrl-C, escape sequences); tabs are fine.
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(command)) return problem('The command contains control characters; send plain text only.');
  let timeoutSeconds: number | undefined;
  if (input.timeoutSeconds !== undefined) {
    const t = input.timeoutSeconds;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_SECONDS)
      return problem(`"timeoutSeconds" must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}.`);
    timeoutSeconds = Math.ceil(t);
  }
  return { ok: true, value: { fleet, machines, command, timeoutSeconds } };
}

function asObject(raw: unknown): Record<string, unknown> | undefined {
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

function optionalText(value: unknown, name: string): string | undefined | { ok: false; problem: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return problem(`"${name}" must be text.`);
  return value.trim() || undefined;
}

function badPattern(part: string): string {
  return `"${part.slice(0, 80)}" is not a hostname or glob: use letters, digits, ".", "-", "_" and the wildcards *, ? and [...].`;
}

function problem(text: string): { ok: false; problem: string } {
  return { ok: false, problem: text };
}
