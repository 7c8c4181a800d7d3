/**
 * What an argument of a command others can call may decide. Other extensions, command links and tree rows
 * all hand our commands something: a tree node, a plain object or a string. Only ids are read from it (fleet
 * id, hostname, session id, run id); a relay address, URL, credential, role or name it carries is never read,
 * and the caller looks everything else up in the extension's own state.
 */

/** A machine by fleet id and hostname; no fleet id means the active fleet. */
export interface MachineRef {
  fleetId?: string;
  hostname: string;
}

/** A live session by id; no fleet id means the active fleet (the one the Sessions view shows). */
export interface SessionRef {
  fleetId?: string;
  sessionId: string;
}

/** A run of the Runs view by id, and optionally one machine of it. */
export interface RunRef {
  runId: number;
  hostname?: string;
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** The fleet id an object names: `{ fleetId }`, `{ fleet: { id } }` (a tree node) or `{ fleet: 'id' }`. Never a name. */
function fleetIdIn(argument: unknown): string | undefined {
  return nonEmpty(field(argument, 'fleetId')) ?? nonEmpty(field(field(argument, 'fleet'), 'id')) ?? nonEmpty(field(argument, 'fleet'));
}

/** The fleet a fleet command is for: a fleet id string, or an object naming one. */
export function fleetArgument(argument: unknown): string | undefined {
  return typeof argument === 'string' ? nonEmpty(argument) : fleetIdIn(argument);
}

/** The machine a machine command is for: a hostname string, `{ fleetId, hostname }`, or a machine row `{ fleet: { id }, machine: { hostname } }`. */
export function machineArgument(argument: unknown): MachineRef | undefined {
  if (typeof argument === 'string') return nonEmpty(argument) ? { hostname: argument } : undefined;
  const hostname = nonEmpty(field(field(argument, 'machine'), 'hostname')) ?? nonEmpty(field(argument, 'hostname'));
  if (!hostname) return undefined;
  const fleetId = fleetIdIn(argument);
  return fleetId ? { fleetId, hostname } : { hostname };
}

/** The session a session command is for: a session id string, `{ fleetId, sessionId }`, or a session row `{ fleet: { id }, session: { id } }`. */
export function sessionArgument(argument: unknown): SessionRef | undefined {
  if (typeof argument === 'string') return nonEmpty(argument) ? { sessionId: argument } : undefined;
  const sessionId = nonEmpty(field(field(argument, 'session'), 'id')) ?? nonEmpty(field(argument, 'sessionId'));
  if (!sessionId) return undefined;
  const fleetId = fleetIdIn(argument);
  return fleetId ? { fleetId, sessionId } : { sessionId };
}

const runId = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/** The run a Runs view command is for: a run id, `{ runId, hostname }`, or a Runs view row `{ run: { id }, result: { hostname } }`. */
export function runArgument(argument: unknown): RunRef | undefined {
  const id = runId(argument) ?? runId(field(field(argument, 'run'), 'id')) ?? runId(field(argument, 'runId'));
  if (id === undefined) return undefined;
  const hostname = nonEmpty(field(field(argument, 'result'), 'hostname')) ?? nonEmpty(field(argument, 'hostname'));
  return hostname ? { runId: id, hostname } : { runId: id };
}

/**
 * The rows our own tree providers handed out. A row passed to a command counts as the person's own click only
 * if it is one of these very objects (`===`): an object that merely looks like a row (another extension can
 * build `{ kind: 'machine', … }`) is a request from outside. Weak, so rows of redrawn trees are not kept.
 */
export class OwnRows {
  private readonly rows = new WeakSet<object>();

  /** Marks the rows a tree provider is about to hand to VS Code, and returns them. */
  handOut<Row>(rows: readonly Row[]): Row[] {
    for (const row of rows) if (typeof row === 'object' && row !== null) this.rows.add(row);
    return [...rows];
  }

  has(argument: unknown): boolean {
    return typeof argument === 'object' && argument !== null && this.rows.has(argument);
  }
}

/** How a run was asked for: what decides whether it came from the person's own click in our UI. */
export type RunRequest =
  /** A command on rows of our views (machines selected in the tree, a run of the Runs view, a fleet row; none from the palette). */
  | { via: 'rows'; rows: readonly unknown[]; own: OwnRows }
  /** A runbook lens: the command must be exactly a shell block of a runbook open in an editor. */
  | { via: 'runbook'; command: string; openBlocks: readonly string[] }
  /** `cmdop.runOnMachines` or any call that brings its own command: never our UI. */
  | { via: 'command' };

/** Whether a run may count as the person's own click (the confirmation then follows cmdop.fanOut.confirmAbove). */
export function runFromOwnUi(request: RunRequest): boolean {
  switch (request.via) {
    case 'rows':
      return request.rows.every((row) => request.own.has(row));
    case 'runbook':
      return request.command.trim() !== '' && request.openBlocks.includes(request.command);
    case 'command':
      return false;
  }
}
