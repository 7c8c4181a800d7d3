/** Shapes of the proto messages as proto-loader hands them to handlers (keepCase, defaults on). */

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface TerminalSize {
  rows: number;
  cols: number;
  width: number;
  height: number;
}

export interface SessionConfig {
  session_id: string;
  shell: string;
  working_directory: string;
  env: Record<string, string>;
  size: TerminalSize | null;
}

export interface CreateSessionRequest {
  user_id: string;
  name: string;
  config: SessionConfig | null;
  command: string;
}

export interface SessionIdRequest {
  session_id: string;
}

export interface CloseSessionRequest extends SessionIdRequest {
  reason: string;
  force: boolean;
}

export interface SendInputRequest extends SessionIdRequest {
  data: Buffer;
}

export interface SendResizeRequest extends SessionIdRequest {
  cols: number;
  rows: number;
}

export interface SendSignalRequest extends SessionIdRequest {
  signal: number;
}

export interface ListSessionsRequest {
  hostname_filter: string;
  status_filter: string;
  limit: number;
  offset: number;
}

export interface GetSessionByHostnameRequest {
  hostname: string;
  partial_match: boolean;
}

export interface GetOutputRequest extends SessionIdRequest {
  offset: number;
  limit: number;
}

export interface StreamSessionOutputRequest extends SessionIdRequest {
  offset: number;
  /** Open this session first and stream it from byte 0 (null when unset). */
  create?: CreateSessionRequest | null;
}

export type StreamSessionOutputEvent =
  | { opened: { session_id: string } }
  | { output: { offset: number; data: Uint8Array } }
  | { gap: { requested_offset: number; resumed_offset: number } }
  | { exit: { exit_code: number; signal: number; reason: string; total_bytes: number } };

export function toTimestamp(date: Date | null | undefined): Timestamp | null {
  if (!date) return null;
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export interface TerminalSizeMessage {
  rows: number;
  cols: number;
}

/** The AgentMessage payloads the attach mode of ConnectTerminal reads (oneofs: true names the one set). */
export interface AgentMessage {
  session_id: string;
  payload?: 'register' | 'heartbeat' | 'output' | 'status' | 'error';
  register?: { version: string; initial_size: TerminalSizeMessage | null };
  output?: { data: Buffer };
  status?: { reason: string };
}

export type ControlMessage = { command_id: string } & (
  | { input: { data: Uint8Array; sequence: number } }
  | { start_session: { config: Partial<SessionConfig> } }
  | { close_session: { reason: string; force: boolean } }
  | { ping: { sequence: number } }
);
