import { status } from '@grpc/grpc-js';
import type { Machine } from '../fleet/machine';
import {
  copyPath,
  createDirectory,
  deletePath,
  failureText,
  fileInfo,
  listDirectory,
  movePath,
  readFileRange,
  writeFileWhole,
} from '../files/fileOperations';
import { searchFiles } from '../files/fileSearch';
import type { HomeScope } from '../files/homePaths';
import type { CallContext, CallPolicy } from './callAuthorization';
import { unary } from './handlerKit';
import type { RelayDeps } from './relayDeps';
import { RelayError } from './relayError';
import { agentSessionMachine, machineOffline, requestedSessionId } from './sessionLookup';

const LOOK: CallPolicy = { operation: 'look at files', mutates: false };
const CHANGE: CallPolicy = { operation: 'change files', mutates: true };

type FileRequest = { session_id: string } & Record<string, any>;

/** What a change is recorded as in the audit log: the action and the machine paths it touched. */
type AuditOf = (request: FileRequest) => { action: string; paths: string[] };

/**
 * The machine a file call is for: upstream names it by its agent session (session_id, or the agent header when
 * the body has none); a session CreateSession made names its machine too. Offline machines refuse as terminals do.
 */
function fileMachine(deps: RelayDeps, ctx: CallContext, bodySessionId: string): Machine {
  const id = requestedSessionId(ctx, bodySessionId);
  const own = deps.registry.get(id);
  const machine = agentSessionMachine(ctx, id) ?? (own?.fleetId === ctx.fleet.id ? own.machine : undefined);
  if (!machine) {
    throw new RelayError(
      status.NOT_FOUND,
      `no session ${id} in fleet ${ctx.fleet.id}: a machine's agent session changes when it restarts; look it up again with GetSessionByHostname`,
    );
  }
  if (!machine.isOnline) throw machineOffline(machine);
  return machine;
}

/** One file RPC: authorized, routed to the machine's home, answered `{ success, error, result }` as an agent does. */
function fileCall(
  deps: RelayDeps,
  method: string,
  policy: CallPolicy,
  run: (scope: HomeScope, request: FileRequest) => Promise<object>,
  auditOf?: AuditOf,
) {
  return unary(deps, method, policy, async (ctx, request: FileRequest) => {
    const machine = fileMachine(deps, ctx, request.session_id);
    const scope = { home: await deps.homes.prepare(machine), hostname: machine.hostname };
    try {
      const result = await run(scope, request);
      if (auditOf) {
        const { action, paths } = auditOf(request);
        deps.audit.record(ctx.fleet.id, {
          actor: ctx.actor,
          action,
          target: `${machine.hostname}:${paths.join(' -> ')}`,
          source_ip: ctx.sourceIp,
        });
      }
      return { success: true, error: '', result };
    } catch (err) {
      return { success: false, error: failureText(err, method), result: null };
    }
  });
}

export function fileHandlers(deps: RelayDeps) {
  const one =
    (action: string): AuditOf =>
    (r) => ({ action, paths: [r.path] });
  const pair =
    (action: string): AuditOf =>
    (r) => ({ action, paths: [r.source_path, r.destination_path] });
  return {
    FileListDirectory: fileCall(deps, 'FileListDirectory', LOOK, (scope, r) => listDirectory(scope, r as never)),
    FileRead: fileCall(deps, 'FileRead', LOOK, (scope, r) => readFileRange(scope, r as never)),
    FileGetInfo: fileCall(deps, 'FileGetInfo', LOOK, (scope, r) => fileInfo(scope, r as never)),
    FileSearch: fileCall(deps, 'FileSearch', LOOK, (scope, r) => searchFiles(scope, r as never)),
    FileWrite: fileCall(deps, 'FileWrite', CHANGE, (scope, r) => writeFileWhole(scope, r as never), one('file.write')),
    FileCreateDirectory: fileCall(deps, 'FileCreateDirectory', CHANGE, (scope, r) => createDirectory(scope, r as never), one('file.mkdir')),
    FileDelete: fileCall(deps, 'FileDelete', CHANGE, (scope, r) => deletePath(scope, r as never), one('file.delete')),
    FileMove: fileCall(deps, 'FileMove', CHANGE, (scope, r) => movePath(scope, r as never), pair('file.move')),
    FileCopy: fileCall(deps, 'FileCopy', CHANGE, (scope, r) => copyPath(scope, r as never), pair('file.copy')),
  };
}
