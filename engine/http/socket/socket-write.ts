/**
 * A request written straight to its socket's handle, past the stream machinery of `socket.write`.
 *
 * The lean client writes one whole request on a connected socket and nothing more until the
 * response is read: Writable's queue, its callbacks and the tick it schedules after every write
 * have nothing to do there, and they were the largest cost of a request's write in the worker after
 * the write(2) itself (about 0.5 µs a request at 60,000 req/s on one core, beside wrk2's whole
 * 11-12 µs). What remains is what Node's own path ends in: a write request and the handle's
 * `writeBuffer`, one system call, and not even a new write request: a write the kernel took whole
 * leaves its request untouched (Node's native side takes hold of one only for a write libuv has to
 * finish later), so the next write uses it again.
 *
 * The write request comes from Node's `stream_wrap` binding (stream-binding.ts). When the binding
 * or the handle is not what this expects, or the socket is TLS (whose handle encrypts),
 * `socket.write` does the write. A write the kernel could not take at once is finished by libuv; an error, at once or
 * then, destroys the socket with it, as `socket.write` would.
 */
import type net from 'node:net';
import { STREAM_BINDING, type StreamWrapBinding, type WriteRequest } from './stream-binding.js';

interface StreamHandle {
  writeBuffer(request: WriteRequest, bytes: Buffer): number;
}

/** The error `socket.write` would fail with: the system's code, errno and syscall. */
function writeError(status: number): NodeJS.ErrnoException {
  // node:util (and the modules it loads) only when a write fails
  const code = process.getBuiltinModule('node:util').getSystemErrorName(status);
  const error: NodeJS.ErrnoException = new Error(`write ${code}`);
  error.code = code;
  error.errno = status;
  error.syscall = 'write';
  return error;
}

function onWriteComplete(this: WriteRequest, status: number): void {
  const socket = this.socket as net.Socket | null;
  this.socket = null;
  this.bytes = null;
  if (status < 0) socket?.destroy(writeError(status));
}

/** A write request no write holds (see above): one per thread, as writes on a thread never overlap. */
let freeRequest: WriteRequest | null = null;

function newRequest(binding: StreamWrapBinding): WriteRequest {
  const request = new binding.WriteWrap();
  request.handle = null;
  request.oncomplete = onWriteComplete;
  request.async = false;
  request.socket = null;
  request.bytes = null;
  return request;
}

/** Writes all of `bytes` to a connected `socket`: a plain one (TCP or Unix socket) to its handle. */
export function writeWhole(socket: net.Socket, bytes: Buffer): void {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (
    STREAM_BINDING === null ||
    (socket as { encrypted?: boolean }).encrypted === true ||
    handle == null ||
    typeof handle.writeBuffer !== 'function'
  ) {
    socket.write(bytes);
    return;
  }
  const request = freeRequest ?? newRequest(STREAM_BINDING);
  freeRequest = null;
  request.handle = handle;
  const status = handle.writeBuffer(request, bytes);
  if (status !== 0) {
    // the request may be the native side's now (a write it failed to start): never used again
    socket.destroy(writeError(status));
    return;
  }
  if (STREAM_BINDING.streamBaseState[STREAM_BINDING.kLastWriteWasAsync] !== 0) {
    // held until libuv finishes: the next write takes a new request
    request.socket = socket;
    request.bytes = bytes;
  } else freeRequest = request;
}

/** Whether writes take the short path here (false: `socket.write` does them). */
export const WRITES_TO_HANDLE = STREAM_BINDING !== null;
