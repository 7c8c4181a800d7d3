export interface OutputSlice {
  /** Offset of the first returned byte; above the requested one when bytes were dropped. */
  offset: number;
  chunks: Uint8Array[];
  bytes: number;
}

/**
 * A session's output as a bounded window over an unbounded byte stream.
 * Offsets count every byte ever produced, so a client can resume exactly
 * where it stopped and learn when the window has moved past it.
 */
export class OutputBuffer {
  private readonly chunks: { offset: number; data: Uint8Array }[] = [];
  private start = 0;
  private end = 0;

  constructor(readonly capacityBytes: number) {}

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    return this.end;
  }

  /** Appends and returns the offset of data[0]. */
  append(data: Uint8Array): number {
    const offset = this.end;
    if (data.byteLength === 0) return offset;
    this.chunks.push({ offset, data });
    this.end += data.byteLength;
    this.trim();
    return offset;
  }

  read(from: number, maxBytes = Number.POSITIVE_INFINITY): OutputSlice {
    const offset = Math.min(Math.max(from, this.start), this.end);
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for (const chunk of this.chunks) {
      const chunkEnd = chunk.offset + chunk.data.byteLength;
      if (chunkEnd <= offset) continue;
      if (bytes >= maxBytes) break;
      const skip = Math.max(0, offset - chunk.offset);
      const take = Math.min(chunk.data.byteLength - skip, maxBytes - bytes);
      chunks.push(chunk.data.subarray(skip, skip + take));
      bytes += take;
    }
    return { offset, chunks, bytes };
  }

  private trim(): void {
    let excess = this.end - this.start - this.capacityBytes;
    while (excess > 0) {
      const first = this.chunks[0];
      if (first.data.byteLength <= excess) {
        this.chunks.shift();
        this.start += first.data.byteLength;
        excess -= first.data.byteLength;
      } else {
        first.data = first.data.subarray(excess);
        first.offset += excess;
        this.start += excess;
        excess = 0;
      }
    }
  }
}
