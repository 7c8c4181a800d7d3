/** Messages on the IPC channel between the relay process and one machine agent process. */

export interface AgentIdentity {
  fleetId: string;
  hostname: string;
  os: string;
}

export interface OpenSessionSpec {
  sessionId: string;
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
  | { type: 'open'; spec: OpenSessionSpec }
  | { type: 'input'; sessionId: string; data: Uint8Array }
  | { type: 'resize'; sessionId: string; cols: number; rows: number }
  | { type: 'signal'; sessionId: string; signal: number }
  | { type: 'close'; sessionId: string; force: boolean }
  | { type: 'shutdown' };

export type FromAgent =
  | { type: 'ready'; pid: number }
  | { type: 'opened'; sessionId: string; pid: number }
  | { type: 'open-failed'; sessionId: string; message: string }
  | { type: 'output'; sessionId: string; data: Uint8Array }
  | { type: 'exit'; sessionId: string; exitCode: number; signal: number }
  /** Last message before a requested shutdown: every earlier message was sent. */
  | { type: 'stopped' };

export const AGENT_IDENTITY_ENV = 'CMDOP_AGENT_IDENTITY';
