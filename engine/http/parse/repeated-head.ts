/**
 * The last response head of a keep-alive connection, kept so that the next one is recognised in a
 * single comparison. A server answers the same request with the same head byte for byte, but for
 * its Date once a second; when the bytes are the same, the parser takes what the head said
 * (status, framing, keep-alive) from the last time instead of reading its fields again. Reading them
 * was most of the parser's time: 0.5 of 0.7 µs for the bundled target's 135-byte head, one core.
 * Same bytes, same meaning: a header section's outcome depends on nothing but its bytes.
 *
 * Compared four bytes at a time, through views made once, so only for the reads of a plain
 * connection: they land at the start of the pool's one read buffer (lean-pool.ts). TLS chunks are
 * buffers of their own and are always read field by field. A head that differs costs one
 * comparison that stops at its first different word, and a copy of the new head.
 */

/** Longer heads are always read field by field. */
export const MAX_REPEATED_HEAD_BYTES = 1024;

export class RepeatedHead {
  // what the remembered head said, set by the parser as it remembers one
  status = 0;
  major = 0;
  minor = 0;
  hasContentLength = false;
  contentLength = 0;
  hasTransferEncoding = false;
  chunked = false;
  connectionClose = false;
  connectionKeepAlive = false;

  private readonly words = new Int32Array(MAX_REPEATED_HEAD_BYTES / 4);
  private readonly bytes = new Uint8Array(this.words.buffer);
  /** bytes of the remembered head; 0: none */
  private length = 0;
  private readonly readWords: Int32Array;

  /** `readBuffer`: where every read of the connection lands, from its start; its offset a multiple of 4. */
  constructor(private readonly readBuffer: Uint8Array) {
    if (readBuffer.byteOffset % 4 !== 0) throw new RangeError('RepeatedHead: the read buffer must start on a 4-byte boundary');
    this.readWords = new Int32Array(readBuffer.buffer, readBuffer.byteOffset, readBuffer.length >> 2);
  }

  /** The length of the remembered head when `chunk[pos, end)` starts with it, else 0. */
  matches(chunk: Uint8Array, pos: number, end: number): number {
    const length = this.length;
    if (length === 0 || chunk !== this.readBuffer || (pos & 3) !== 0 || end - pos < length) return 0;
    const { readWords, words, bytes } = this;
    const base = pos >> 2;
    const whole = length >> 2;
    for (let i = 0; i < whole; i++) if (readWords[base + i] !== words[i]) return 0;
    for (let i = whole << 2; i < length; i++) if (chunk[pos + i] !== bytes[i]) return 0;
    return length;
  }

  /**
   * Keeps the head `chunk[from, to)`, read field by field, as the one to recognise next; false when
   * it cannot be kept (another buffer, not aligned, too long), and the last one is forgotten. The
   * caller then sets what the head said.
   */
  remember(chunk: Uint8Array, from: number, to: number): boolean {
    const length = to - from;
    if (chunk !== this.readBuffer || (from & 3) !== 0 || length > MAX_REPEATED_HEAD_BYTES) {
      this.length = 0;
      return false;
    }
    const { readWords, words, bytes } = this;
    const base = from >> 2;
    const whole = length >> 2;
    for (let i = 0; i < whole; i++) words[i] = readWords[base + i]!;
    for (let i = whole << 2; i < length; i++) bytes[i] = chunk[from + i]!;
    this.length = length;
    return true;
  }

  forget(): void {
    this.length = 0;
  }
}
