// A stand-in relay serving the upstream File* RPCs of the shared proto for one machine, web-1, whose files are
// a local folder. The integration test and the bench rows use it to measure the client without the fleet server.
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadTerminalService } from '../../../fleet-server/src/relay/terminalProto';

type Call = grpc.ServerUnaryCall<Record<string, any>, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

export interface FolderFileRelay {
  address: string;
  /** Every file call: its method and the session id it carried. */
  seen: { method: string; session: string }[];
  close(): void;
}

function entryOf(path: string) {
  const st = lstatSync(path);
  return {
    name: path.split('/').pop(),
    path,
    type: st.isSymbolicLink() ? 'STREAM_SYMLINK' : st.isDirectory() ? 'STREAM_DIRECTORY' : 'STREAM_FILE',
    size: st.size,
    permissions: 'rw-r--r--',
    modified_at: { seconds: Math.floor(st.mtimeMs / 1000), nanos: Math.round((st.mtimeMs % 1000) * 1e6) },
    is_writable: true,
    symlink_target: st.isSymbolicLink() ? readlinkSync(path) : '',
  };
}

export async function startFolderFileRelay(home: string, options: { maxReceiveBytes: number }): Promise<FolderFileRelay> {
  const seen: FolderFileRelay['seen'] = [];
  const answer = (method: string, fn: (req: Record<string, any>) => unknown) => (call: Call, cb: Callback) => {
    seen.push({ method, session: call.request.session_id });
    try {
      if (!String(call.request.path ?? home).startsWith(home)) throw new Error('path is outside the home folder');
      cb(null, { success: true, error: '', result: fn(call.request) });
    } catch (err) {
      cb(null, { success: false, error: (err as Error).message });
    }
  };
  const handlers = {
    GetSessionByHostname: (call: Call, cb: Callback) =>
      cb(null, { found: call.request.hostname === 'web-1', session_id: 'agent-web-1', status: 'connected', working_directory: home }),
    FileGetInfo: answer('FileGetInfo', (r) => ({ entry: entryOf(r.path) })),
    FileListDirectory: answer('FileListDirectory', (r) => {
      const names = readdirSync(r.path).sort();
      const start = Number(r.page_token) || 0;
      const end = start + (r.page_size || 100);
      return {
        current_path: r.path,
        entries: names.slice(start, end).map((n) => entryOf(join(r.path, n))),
        next_page_token: end < names.length ? String(end) : '',
        total_count: names.length,
        has_more: end < names.length,
      };
    }),
    FileRead: answer('FileRead', (r) => {
      const all = readFileSync(r.path);
      const offset = Number(r.offset);
      return { content: all.subarray(offset, Number(r.length) ? offset + Number(r.length) : undefined), total_size: all.length };
    }),
    FileWrite: answer('FileWrite', (r) => (writeFileSync(r.path, r.content), { bytes_written: r.content.length })),
  };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveBytes,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  });
  server.addService(loadTerminalService(), handlers as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, seen, close: () => server.forceShutdown() };
}
