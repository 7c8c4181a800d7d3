import { FileTooLargeToWriteError, MachineFileError, MachineUnavailableError } from '../errors';
import type { WireFileEntry } from './fileEntry';
import { isTooLarge, isUnknownSession, kindOfText, machineFileError } from './fileErrors';

/** The upstream file RPCs of `terminal.TerminalStreamingService` this client calls. */
export type FileMethod =
  | 'FileListDirectory'
  | 'FileRead'
  | 'FileWrite'
  | 'FileGetInfo'
  | 'FileCreateDirectory'
  | 'FileDelete'
  | 'FileMove'
  | 'FileCopy'
  | 'FileSearch';

/** What MachineFiles needs of a relay client (RelayClient implements it; tests fake it). */
export interface FileRpc {
  readonly target: { fleetName: string };
  call<T>(method: FileMethod | 'GetSessionByHostname', request: object, agentId?: string): Promise<T>;
}

interface RpcResponse<T> {
  success: boolean;
  error: string;
  result?: T | null;
}

export interface ListPage {
  current_path: string;
  entries: WireFileEntry[];
  next_page_token: string;
  total_count: number;
  has_more: boolean;
}

export interface ReadResult {
  content: Buffer;
  total_size: string | number;
  is_truncated: boolean;
}

export interface ContentMatch {
  line_number: number;
  line: string;
  column_start: number;
  column_end: number;
}

export interface SearchMatch {
  entry?: WireFileEntry | null;
  match_type: string;
  content_matches: ContentMatch[];
}

export interface SearchResult {
  matches: SearchMatch[];
  total_matches: number;
  truncated: boolean;
  search_path: string;
}

export interface SearchQuery {
  path: string;
  filenamePattern?: string;
  contentPattern?: string;
  caseSensitive?: boolean;
  maxResults?: number;
}

/**
 * The most one FileWrite may carry. gRPC relays refuse messages above their receive limit (4 MiB unless
 * configured otherwise); the path and framing take a little of it.
 */
export const WRITE_LIMIT_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** Entries asked per FileListDirectory page. */
export const LIST_PAGE_SIZE = 1000;

/**
 * One machine's files through the relay, with the upstream `{ success, error, result }` answers turned into
 * MachineFileErrors. The machine's agent session id (upstream's `session_id`) is looked up by hostname and
 * kept until a call fails, so a machine that restarts is found again without a reload.
 */
export class MachineFiles {
  private session: Promise<string> | undefined;

  constructor(
    private readonly rpc: FileRpc,
    readonly hostname: string,
    private readonly writeLimit = WRITE_LIMIT_BYTES,
  ) {}

  /** The machine's home folder: where its shell starts. */
  async home(): Promise<string> {
    const found = await this.lookup();
    if (found.working_directory) return found.working_directory;
    const page = await this.invoke<ListPage>('FileListDirectory', '', { path: '', page_size: 1, page_token: '', include_hidden: false });
    return page.current_path || '/';
  }

  listPage(path: string, pageToken = '', pageSize = LIST_PAGE_SIZE): Promise<ListPage> {
    return this.invoke<ListPage>('FileListDirectory', path, { path, page_size: pageSize, page_token: pageToken, include_hidden: true });
  }

  /** Every entry of a folder, page by page; `onPage` sees each page as it arrives. */
  async list(path: string, onPage?: (entries: WireFileEntry[]) => void): Promise<WireFileEntry[]> {
    const all: WireFileEntry[] = [];
    let token = '';
    do {
      const page = await this.listPage(path, token);
      all.push(...page.entries);
      onPage?.(page.entries);
      token = page.has_more ? page.next_page_token : '';
    } while (token);
    return all;
  }

  async stat(path: string): Promise<WireFileEntry> {
    const result = await this.invoke<{ entry?: WireFileEntry | null }>('FileGetInfo', path, { path });
    if (!result.entry) throw new MachineFileError('FileNotFound', `${this.hostname}:${path}: no such file or folder`);
    return result.entry;
  }

  read(path: string, offset: number, length: number): Promise<ReadResult> {
    return this.invoke<ReadResult>('FileRead', path, { path, offset: String(offset), length: String(length), transcode: false });
  }

  /** Writes the whole file in one message, or refuses before sending when it is bigger than one message may be. */
  async write(path: string, content: Uint8Array, options: { overwrite: boolean; createParents?: boolean }): Promise<void> {
    if (content.byteLength > this.writeLimit) throw new FileTooLargeToWriteError(path, content.byteLength, this.writeLimit);
    await this.invoke('FileWrite', path, {
      path,
      content: Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      overwrite: options.overwrite,
      create_parents: options.createParents ?? false,
    });
  }

  async mkdir(path: string): Promise<void> {
    await this.invoke('FileCreateDirectory', path, { path, create_parents: false });
  }

  async delete(path: string, recursive: boolean): Promise<void> {
    await this.invoke('FileDelete', path, { path, recursive });
  }

  async move(source: string, destination: string, overwrite: boolean): Promise<void> {
    await this.invoke('FileMove', source, { source_path: source, destination_path: destination, overwrite });
  }

  async copy(source: string, destination: string, overwrite: boolean): Promise<void> {
    await this.invoke('FileCopy', source, { source_path: source, destination_path: destination, overwrite, recursive: true });
  }

  search(query: SearchQuery): Promise<SearchResult> {
    return this.invoke<SearchResult>('FileSearch', query.path, {
      path: query.path,
      filename_pattern: query.filenamePattern ?? '',
      content_pattern: query.contentPattern ?? '',
      case_sensitive: query.caseSensitive ?? false,
      include_hidden: false,
      max_results: query.maxResults ?? 200,
      max_depth: 0,
      context_lines: 0,
    });
  }

  private lookup(): Promise<{ session_id: string; working_directory: string }> {
    const fleet = this.rpc.target.fleetName;
    return this.rpc
      .call<{ found: boolean; session_id: string; status: string; error: string; working_directory: string }>(
        'GetSessionByHostname',
        { hostname: this.hostname, partial_match: false },
        this.hostname,
      )
      .then(
        (res) => {
          if (!res.found || !res.session_id) throw new MachineUnavailableError(this.hostname, fleet, res.error || 'no such machine online');
          if (res.status && res.status !== 'connected') throw new MachineUnavailableError(this.hostname, fleet, res.status);
          return res;
        },
        (err: Error) => {
          throw machineFileError(err, this.hostname, '');
        },
      );
  }

  private sessionId(): Promise<string> {
    this.session ??= this.lookup().then((res) => res.session_id);
    return this.session;
  }

  private async invoke<T>(method: FileMethod, path: string, request: object, retried = false): Promise<T> {
    try {
      const sessionId = await this.sessionId();
      const res = await this.rpc.call<RpcResponse<T>>(method, { session_id: sessionId, ...request }, this.hostname);
      if (!res.success) {
        const text = res.error || `${method} failed`;
        throw new MachineFileError(kindOfText(text), `${this.hostname}:${path}: ${text}`);
      }
      return (res.result ?? {}) as T;
    } catch (err) {
      // Restarted while we were not looking: its session id changed; look it up once more and try again.
      if (!retried && isUnknownSession(err)) {
        this.session = undefined;
        return this.invoke<T>(method, path, request, true);
      }
      // A relay with a smaller receive limit than ours refuses the message whole: said so, never cut.
      if (isTooLarge(err) && method === 'FileWrite') {
        const size = (request as { content: Buffer }).content.byteLength;
        throw new FileTooLargeToWriteError(path, size, Math.min(this.writeLimit, size - 1), true);
      }
      const failure = machineFileError(err, this.hostname, path);
      // The machine may have restarted with a new session: look it up again next time.
      if (failure.kind === 'Unavailable' || failure.kind === 'Other') this.session = undefined;
      throw failure;
    }
  }
}
