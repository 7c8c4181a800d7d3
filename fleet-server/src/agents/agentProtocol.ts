/**
 * Messages on the IPC channel between the relay process and one agent-host process. A host serves many
 * machines (attach/detach); each session belongs to one machine and its id is unique across hosts, so
 * input, resize, signal, close, output and exit are routed by session id alone.
 *
 * Compatible with the one-machine-per-process form: a host forked with AGENT_IDENTITY_ENV serves that
 * machine from the start, and an `open` without `spec.machine` goes to it.
 */

export interface AgentIdentity {
  fleetId: string;
  hostname: string;
  os: string;
  /** The machine's home folder: where its shells start and what $HOME names (unset: this user's home). */
  home?: string;
}

/** How a host names one of its machines (fleet and hostname: a hostname alone repeats across fleets). */
export function machineKey(identity: Pick<AgentIdentity, 'fleetId' | 'hostname'>): string {
  return `${identity.fleetId}/${identity.hostname}`;
}

export interface OpenSessionSpec {
  sessionId: string;
  /** machineKey() of an attached machine; unset: the machine of AGENT_IDENTITY_ENV. */
  machine?: string;
  shell: string;
  /** Set: run `shell -c command` and end with it. Unset: an interactive shell. */
  command?: string;
  /** Empty: the agent user's home directory. */
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export type ToAgent =
  | { type: 'attach'; machine: AgentIdentity }
  /** Hangs up the machine's shells; answered by `detached` once their exits were sent. */
  | { type: 'detach'; machine: string }
  | { type: 'open'; spec: OpenSessionSpec }
  | { type: 'input'; sessionId: string; data: Uint8Array }
  | { type: 'resize'; sessionId: string; cols: number; rows: number }
  | { type: 'signal'; sessionId: string; signal: number }
  | { type: 'close'; sessionId: string; force: boolean }
  | { type: 'shutdown' };

export type FromAgent =
  | { type: 'ready'; pid: number }
  | { type: 'detached'; machine: string }
  | { type: 'opened'; sessionId: string; pid: number }
  | { type: 'open-failed'; sessionId: string; message: string }
  | { type: 'output'; sessionId: string; data: Uint8Array }
  | { type: 'exit'; sessionId: string; exitCode: number; signal: number }
  /** Last message before a requested shutdown: every earlier message was sent. */
  | { type: 'stopped' };

export const AGENT_IDENTITY_ENV = 'CMDOP_AGENT_IDENTITY';
