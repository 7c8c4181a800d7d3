import { MachineFileError } from '../errors';
import type { ReadResult } from './machineFiles';

/** Reads `length` bytes at `offset` (0 = to the end); the answer says the file's whole size. */
export type ReadChunk = (offset: number, length: number) => Promise<ReadResult>;

export interface ChunkedReadOptions {
  /** Bytes asked per FileRead (default 4 MiB: well under the client's 16 MiB receive limit). */
  chunkBytes?: number;
  /** FileReads in flight at once (default 4). */
  concurrency?: number;
  /** Called with the bytes read so far and the total. */
  onProgress?: (read: number, total: number) => void;
  signal?: AbortSignal;
}

export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A whole file in chunks: the first answer gives the size, the rest is asked for a few chunks at a time and
 * put in place. A chunk answered short (the machine caps its answers) is asked again from where it stopped.
 */
export async function readWholeFile(read: ReadChunk, what: string, options: ChunkedReadOptions = {}): Promise<Uint8Array> {
  const chunk = Math.max(1, options.chunkBytes ?? READ_CHUNK_BYTES);
  const first = await read(0, chunk);
  const total = Number(first.total_size);
  const head = Buffer.from(first.content);
  if (!Number.isFinite(total) || total <= head.byteLength) return head;
  const whole = Buffer.allocUnsafe(total);
  head.copy(whole, 0);
  let done = head.byteLength;
  options.onProgress?.(done, total);
  const ranges: [number, number][] = [];
  for (let at = head.byteLength; at < total; at += chunk) ranges.push([at, Math.min(chunk, total - at)]);
  const worker = async (): Promise<void> => {
    for (let range = ranges.shift(); range; range = ranges.shift()) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const [offset, length] = range;
      const part = await read(offset, length);
      const got = Math.min(part.content.byteLength, length);
      if (got === 0)
        throw new MachineFileError('Other', `${what} got shorter while it was read (${offset} of ${total} bytes): open it again.`);
      Buffer.from(part.content.buffer, part.content.byteOffset, got).copy(whole, offset);
      if (got < length) ranges.unshift([offset + got, length - got]);
      done += got;
      options.onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return whole;
}
