import { status } from '@grpc/grpc-js';
import type { Machine } from '../fleet/machine';
import { unary } from './handlerKit';
import { toTimestamp, type GetSessionByHostnameRequest, type ListSessionsRequest, type Timestamp } from './messages';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';

const READ = { operation: 'look at machines', mutates: false };
const DEFAULT_LIST_LIMIT = 20;
const MAX_LIST_LIMIT = 1000;
const SHELL = '/bin/bash';

interface SessionInfoItem {
  session_id: string;
  machine_hostname: string;
  machine_name: string;
  status: string;
  os: string;
  agent_version: string;
  heartbeat_age_seconds: number;
  has_shell: boolean;
  shell: string;
  working_directory: string;
  connected_at: Timestamp | null;
  shared?: boolean;
  shell_started?: boolean;
  attached_clients?: number;
}

function connectionStatus(machine: Machine): 'connected' | 'disconnected' {
  return machine.isOnline ? 'connected' : 'disconnected';
}

function heartbeatAge(machine: Machine): number {
  const seen = machine.lastSeenAt;
  return seen ? Math.max(0, Math.floor((Date.now() - seen.getTime()) / 1000)) : 0;
}

function sessionInfo(deps: RelayDeps, machine: Machine): SessionInfoItem {
  const shell = deps.agentSessions.current(machine);
  // Extension fields: an upstream relay sends none of them.
  const extension = deps.upstreamOnly
    ? {}
    : { shared: true, shell_started: shell !== undefined, attached_clients: shell?.attachedClients ?? 0 };
  return {
    ...extension,
    session_id: machine.agentSessionId,
    machine_hostname: machine.hostname,
    machine_name: machine.name,
    status: connectionStatus(machine),
    os: machine.os,
    agent_version: machine.agentVersion,
    heartbeat_age_seconds: heartbeatAge(machine),
    has_shell: machine.isOnline,
    shell: machine.isOnline ? SHELL : '',
    working_directory: machine.isOnline ? deps.homes.homeOf(machine) : '',
    connected_at: toTimestamp(machine.connectedAt),
  };
}

export function machineHandlers(deps: RelayDeps) {
  return {
    HealthCheck: unary(deps, 'HealthCheck', READ, async (ctx) => ({
      healthy: true,
      version: deps.version,
      active_sessions: deps.registry.running(ctx.fleet.id).length,
      connected_clients: ctx.fleet.machines.filter((m) => m.isOnline).length,
    })),

    ListSessions: unary(deps, 'ListSessions', READ, async (ctx, request: ListSessionsRequest) => {
      const statusFilter = request.status_filter.trim().toLowerCase();
      if (statusFilter && statusFilter !== 'connected' && statusFilter !== 'disconnected') {
        throw new RelayError(
          status.INVALID_ARGUMENT,
          `status_filter must be "connected", "disconnected" or empty, got "${request.status_filter}"`,
        );
      }
      if (request.limit < 0 || request.offset < 0) throw new RelayError(status.INVALID_ARGUMENT, 'limit and offset must not be negative');
      const hostnameFilter = request.hostname_filter.trim().toLowerCase();
      const matching = ctx.fleet.machines
        .filter((m) => !hostnameFilter || m.hostname.toLowerCase().includes(hostnameFilter))
        .filter((m) => !statusFilter || connectionStatus(m) === statusFilter)
        .sort((a, b) => Number(b.isOnline) - Number(a.isOnline) || a.hostname.localeCompare(b.hostname, 'en'));
      const limit = Math.min(request.limit || DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      return {
        sessions: matching.slice(request.offset, request.offset + limit).map((m) => sessionInfo(deps, m)),
        total: matching.length,
        workspace_name: ctx.fleet.name,
        error: '',
      };
    }),

    GetSessionByHostname: unary(deps, 'GetSessionByHostname', READ, async (ctx, request: GetSessionByHostnameRequest) => {
      const wanted = request.hostname.trim().toLowerCase();
      if (!wanted) throw new RelayError(status.INVALID_ARGUMENT, 'hostname is required');
      const matches = ctx.fleet.machines.filter((m) =>
        request.partial_match ? m.hostname.toLowerCase().includes(wanted) : m.hostname.toLowerCase() === wanted,
      );
      if (matches.length === 0) {
        throw new RelayError(
          status.NOT_FOUND,
          `no machine with hostname ${request.partial_match ? 'containing ' : ''}"${request.hostname}" in fleet ${ctx.fleet.id}`,
        );
      }
      if (matches.length > 1) {
        return {
          found: false,
          ambiguous: true,
          matches_count: matches.length,
          error: `${matches.length} machines match "${request.hostname}" in fleet ${ctx.fleet.id}: ${matches
            .slice(0, 5)
            .map((m) => m.hostname)
            .join(', ')}; be more specific`,
        };
      }
      const [machine] = matches;
      const info = sessionInfo(deps, machine);
      return {
        found: true,
        session_id: info.session_id,
        machine_hostname: info.machine_hostname,
        machine_name: info.machine_name,
        status: info.status,
        error: '',
        connected_at: info.connected_at,
        heartbeat_age_seconds: info.heartbeat_age_seconds,
        has_shell: info.has_shell,
        shell: info.shell,
        working_directory: info.working_directory,
        ambiguous: false,
        matches_count: 1,
        os: info.os,
        agent_version: info.agent_version,
      };
    }),
  };
}
