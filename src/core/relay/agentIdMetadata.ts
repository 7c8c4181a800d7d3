/**
 * How a machine reference travels in gRPC metadata. grpc-js refuses non-ASCII text values, so a hostname such as
 * "сервер-1" cannot go in `x-cmdop-agent-id` as text. Printable ASCII is sent exactly as upstream and the SDK send
 * it; anything else goes as UTF-8 bytes in `x-cmdop-agent-id-bin` (this project's addition, which its fleet server
 * prefers when present).
 */
export const AGENT_ID_KEY = 'x-cmdop-agent-id';
export const AGENT_ID_BIN_KEY = 'x-cmdop-agent-id-bin';

export function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

export function agentIdEntry(agentId: string): [typeof AGENT_ID_KEY, string] | [typeof AGENT_ID_BIN_KEY, Buffer] {
  return isPrintableAscii(agentId) ? [AGENT_ID_KEY, agentId] : [AGENT_ID_BIN_KEY, Buffer.from(agentId, 'utf8')];
}
