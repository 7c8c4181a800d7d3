/** Output kept per machine: at most `limit` bytes, the rest counted and the cut marked when read. */
export class BoundedOutput {
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  append(data: Uint8Array): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = data.length <= room ? data : data.subarray(0, room);
      // Copied: the caller may reuse its buffer.
      this.chunks.push(Uint8Array.from(part));
      this.kept += part.length;
    }
    this.dropped += Math.max(0, data.length - Math.max(0, room));
  }

  get bytesKept(): number {
    return this.kept;
  }

  get bytesDropped(): number {
    return this.dropped;
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** The text, decoded as UTF-8, with a marker line where the output was cut. */
  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${body}\n[… output cut: ${this.dropped} more bytes not kept (limit ${this.limit} bytes per machine)]\n` : body;
  }
}
