/**
 * Lines out of a byte stream, each at most `maxBytes` long. readline keeps whatever arrives
 * until a newline comes, so a peer that never sends one grows this process without bound (256 MiB
 * without a newline took the controller from 65 to 375 MiB). Here the bytes of the line in
 * progress are held only up to the limit: past it, the splitter says so once and reads nothing
 * more. Pure (bytes in, lines out).
 */

export class BoundedLines {
  /** the chunks of the line in progress (from its start) */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(
    private readonly maxBytes: number,
    /** each line, without its newline (nor a CR before it), decoded as UTF-8 */
    private readonly onLine: (line: string) => void,
    /** once, when a line passed `maxBytes`; nothing more is read after it */
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.overflowed) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      if (this.pendingBytes + (end - start) > this.maxBytes) {
        this.overflowed = true;
        this.pending = [];
        this.pendingBytes = 0;
        this.onOverflow();
        return;
      }
      if (newline < 0) {
        if (end > start) {
          this.pending.push(chunk.subarray(start));
          this.pendingBytes += end - start;
        }
        return;
      }
      const whole = this.pending.length === 0 ? chunk.subarray(start, end) : Buffer.concat([...this.pending, chunk.subarray(start, end)]);
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
      const last = whole.length - 1;
      this.onLine(whole.toString('utf8', 0, last >= 0 && whole[last] === 0x0d ? last : whole.length));
    }
  }
}
