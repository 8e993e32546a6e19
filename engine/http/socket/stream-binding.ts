/**
 * Node's `stream_wrap` binding, which the lean client's socket reads and writes use to go past the
 * stream machinery (socket-write.ts, socket-read.ts). Node exposes it only through
 * `process.binding` (deprecated in the documentation only, DEP0111); when it is missing or not
 * what this expects, the binding is null and sockets are read and written the usual way.
 */

/** Node's write request: a native object; `oncomplete` is called only for a write finished later. */
export interface WriteRequest {
  handle: unknown;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  /** kept until a later completion: the socket to fail, the bytes libuv still reads from */
  socket: unknown;
  bytes: Buffer | null;
}

export interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  /**
   * Set by every read and write: [kReadBytesOrError] is a read's byte count (0: nothing, negative:
   * an error or the end), [kLastWriteWasAsync] is 1 when libuv kept part of a write's bytes for later.
   */
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

function streamWrapBinding(): StreamWrapBinding | null {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const usable =
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kReadBytesOrError === 'number' &&
      typeof binding.kLastWriteWasAsync === 'number';
    return usable ? (binding as StreamWrapBinding) : null;
  } catch {
    return null;
  }
}

export const STREAM_BINDING = streamWrapBinding();
