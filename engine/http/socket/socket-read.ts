/**
 * A plain socket's reads handed from its handle straight to the parser, past Node's read callback.
 *
 * The lean client's sockets are made with `onread`: each read lands in the pool's one buffer and
 * Node calls back with its length. But it does so through its stream code (`onStreamRead`), which
 * per read finds the socket behind the handle, refreshes the socket's idle timer, checks that it
 * is not destroyed and finds the buffer and the callback by symbol: about a tenth of the worker's
 * own (JavaScript) time per response at 60,000 req/s on one core. The lean client sets no idle
 * timer, and a destroyed socket's handle is closed at once, so no read reaches it. So the handle's
 * read callback becomes one that hands a read's length to the parser; an empty read, the end of
 * the stream and a read error still go to Node's own, which ends or fails the socket as before.
 *
 * The read's length comes from Node's `stream_wrap` binding (stream-binding.ts). When the binding
 * or the handle is not what this expects, nothing changes: the `onread` callback gets every read.
 */
import type net from 'node:net';
import { STREAM_BINDING } from './stream-binding.js';

type ReadCallback = (this: unknown, arrayBuffer: unknown) => unknown;

/**
 * From now on, every read of `socket` (made with `onread`, not connected yet) with bytes in it
 * calls `onBytes` with their count, in the socket's `onread` buffer. Returns whether it does (false:
 * reads go the usual way, to the `onread` callback).
 */
export function readStraight(socket: net.Socket, onBytes: (bytes: number) => void): boolean {
  const handle = (socket as unknown as { _handle?: { onread?: unknown } | null })._handle;
  if (STREAM_BINDING === null || handle == null || typeof handle.onread !== 'function') return false;
  const state = STREAM_BINDING.streamBaseState;
  const lengthIndex = STREAM_BINDING.kReadBytesOrError;
  const nodeRead = handle.onread as ReadCallback;
  handle.onread = function (this: unknown, arrayBuffer: unknown): unknown {
    const bytes = state[lengthIndex]!;
    if (bytes > 0) {
      onBytes(bytes);
      return undefined;
    }
    return nodeRead.call(this, arrayBuffer);
  };
  return handle.onread !== nodeRead;
}
