/**
 * Writes an `Answer` onto a uWebSockets.js response. Call it inside `res.cork()` (uWS needs
 * that for any write made after the request handler returned).
 *
 * Large bodies are streamed from one shared filler buffer with uWS backpressure: `tryEnd`
 * sends what the socket takes, `getWriteOffset` says how far it got, and `onWritable` resumes
 * when the socket drains. So a 64 MiB answer costs no allocation and no more buffering than
 * the kernel's. The fallback implementation has none of those calls and gets plain writes.
 */

import type { HttpResponse } from 'uWebSockets.js';
import { statusLine, type Answer } from './routes.js';

/** Filler for byte bodies: 64 KiB of 'x', sliced, never copied per request. */
const FILLER = Buffer.alloc(64 * 1024, 'x');
const TEXT = 'text/plain; charset=utf-8';
const OCTETS = 'application/octet-stream';

export interface WriteContext {
  /** HEAD request: headers only, with the Content-Length a GET would have */
  head: boolean;
  /** whether the native uWS API (tryEnd, onWritable, endWithoutBody...) is there */
  native: boolean;
  /** ask the client to close the connection after this answer (used while shutting down) */
  closeConnection?: boolean;
}

/**
 * Sends `answer` and calls `done` once the whole answer is handed to the socket: at once,
 * except for a streamed body. If the client goes away mid-stream `done` is never called;
 * the response's onAborted handler covers that.
 */
export function writeAnswer(res: HttpResponse, answer: Answer, context: WriteContext, done: () => void): void {
  switch (answer.kind) {
    case 'empty':
      res.writeStatus(statusLine(answer.status));
      // uWS end() adds "Content-Length: 0", which HTTP forbids on 1xx and 204; only while
      // shutting down is that accepted, as the price of uWS closing the connection after it.
      if (context.native && !context.closeConnection) res.endWithoutBody();
      else res.end('', context.closeConnection ?? false);
      break;
    case 'text': {
      const body = Buffer.from(answer.body);
      res.writeStatus(statusLine(answer.status)).writeHeader('Content-Type', TEXT);
      if (context.head) endHead(res, body.length, context);
      else res.end(body, context.closeConnection ?? false);
      break;
    }
    case 'bytes':
      res.writeStatus('200 OK').writeHeader('Content-Type', OCTETS);
      if (context.head) endHead(res, answer.bytes, context);
      else if (answer.bytes <= FILLER.length) res.end(FILLER.subarray(0, answer.bytes), context.closeConnection ?? false);
      else if (context.native) {
        streamFiller(res, answer.bytes, done);
        return;
      } else writeFillerUnpaced(res, answer.bytes);
      break;
    case 'delay':
      throw new Error('a delay is carried out by the server, not written');
  }
  done();
}

/** Ends a HEAD answer: the Content-Length a GET would get, and no body. */
function endHead(res: HttpResponse, length: number, context: WriteContext): void {
  // The connection is going anyway; uWS then writes its own "Content-Length: 0".
  if (context.closeConnection) return void res.end('', true);
  // uWS does not drop bodies of HEAD answers itself. endWithoutBody(n) would report n, but
  // then waits for n bytes that never come and drops the connection, so the length goes in
  // as a plain header. (node:http under the fallback drops HEAD bodies itself.)
  res.writeHeader('Content-Length', String(length));
  if (context.native) res.endWithoutBody();
  else res.end();
}

/**
 * Streams `total` bytes of filler with backpressure. The filler is uniform, so whatever
 * offset a failed `tryEnd` left off at, the next slice from the buffer start is the right data.
 */
function streamFiller(res: HttpResponse, total: number, done: () => void): void {
  const pump = (): boolean => {
    for (;;) {
      const offset = res.getWriteOffset();
      const [ok, finished] = res.tryEnd(FILLER.subarray(0, Math.min(FILLER.length, total - offset)), total);
      if (finished) {
        done();
        return true;
      }
      if (!ok) return false; // the socket is full: wait for onWritable
    }
  };
  if (!pump()) res.onWritable(pump);
}

/** Fallback only: node:http buffers what the socket does not take (no backpressure hooks). */
function writeFillerUnpaced(res: HttpResponse, total: number): void {
  res.writeHeader('Content-Length', String(total));
  for (let offset = 0; offset < total; offset += FILLER.length) {
    res.write(FILLER.subarray(0, Math.min(FILLER.length, total - offset)));
  }
  res.end();
}
