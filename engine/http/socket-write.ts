/**
 * A request written straight to its socket's handle, past the stream machinery of `socket.write`.
 *
 * The lean client writes one whole request on a connected socket and nothing more until the
 * response is read: Writable's queue, its callbacks and the tick it schedules after every write
 * have nothing to do there, and they were the largest cost of a request's write in the worker after
 * the write(2) itself (about 0.5 µs a request at 60,000 req/s on one core, beside wrk2's whole
 * 11-12 µs). What remains is what Node's own path ends in: a write request and the handle's
 * `writeBuffer`, one system call.
 *
 * Node exposes the write request only through its `stream_wrap` binding (`process.binding`,
 * deprecated in the documentation only, DEP0111). When the binding or the handle is not what this
 * expects, or the socket is TLS (whose handle encrypts: left to `socket.write`), `socket.write` does
 * the write. A write the kernel could not take at once is finished by libuv; an error, at once or
 * then, destroys the socket with it, as `socket.write` would.
 */
import type net from 'node:net';
import { getSystemErrorName } from 'node:util';

/** Node's write request: a native object; `oncomplete` is called only for a write finished later. */
interface WriteRequest {
  handle: unknown;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  /** kept until a later completion: the socket to fail, the bytes libuv still reads from */
  socket: net.Socket | null;
  bytes: Buffer | null;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  /** set by every write: [kLastWriteWasAsync] is 1 when libuv kept part of the bytes to write later */
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface StreamHandle {
  writeBuffer(request: WriteRequest, bytes: Buffer): number;
}

function streamWrapBinding(): StreamWrapBinding | null {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const usable =
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kLastWriteWasAsync === 'number';
    return usable ? (binding as StreamWrapBinding) : null;
  } catch {
    return null;
  }
}

const BINDING = streamWrapBinding();

/** The error `socket.write` would fail with: the system's code, errno and syscall. */
function writeError(status: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  const error: NodeJS.ErrnoException = new Error(`write ${code}`);
  error.code = code;
  error.errno = status;
  error.syscall = 'write';
  return error;
}

function onWriteComplete(this: WriteRequest, status: number): void {
  const socket = this.socket;
  this.socket = null;
  this.bytes = null;
  if (status < 0) socket?.destroy(writeError(status));
}

/** Writes all of `bytes` to a connected `socket`: a plain one (TCP or Unix socket) to its handle. */
export function writeWhole(socket: net.Socket, bytes: Buffer): void {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (
    BINDING === null ||
    (socket as { encrypted?: boolean }).encrypted === true ||
    handle == null ||
    typeof handle.writeBuffer !== 'function'
  ) {
    socket.write(bytes);
    return;
  }
  const request = new BINDING.WriteWrap();
  request.handle = handle;
  request.oncomplete = onWriteComplete;
  request.async = false;
  request.socket = null;
  request.bytes = null;
  const status = handle.writeBuffer(request, bytes);
  if (status !== 0) {
    socket.destroy(writeError(status));
    return;
  }
  if (BINDING.streamBaseState[BINDING.kLastWriteWasAsync] !== 0) {
    request.socket = socket;
    request.bytes = bytes;
  }
}

/** Whether writes take the short path here (false: `socket.write` does them). */
export const WRITES_TO_HANDLE = BINDING !== null;
