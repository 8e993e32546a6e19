/**
 * Test helper: runs the ResponseParser over a byte stream cut into pieces, and records what it
 * reports as a list of events, the same whatever the cuts (body counts of consecutive calls summed).
 */
import { ResponseParser, type ParseErrorCode, type ResponseHandler } from '../../engine/http/parse/response-parser.js';

/** `status 200`, `body 5`, `complete keep-alive`, `complete close`, `error STRESS_ERR_…`. */
export type ParserEvent = string;

/** The requests a run answers, in order: each one HEAD or not. */
export type Requests = readonly boolean[];

class Recorder implements ResponseHandler {
  events: ParserEvent[] = [];
  /** Offset just after the byte on which the first response completed, or -1. */
  firstCompleteAt = -1;
  /** Offset of the piece being executed, and its length. */
  pieceStart = 0;
  pieceLength = 0;
  private next = 1;

  constructor(
    private readonly parser: ResponseParser | undefined,
    private readonly requests: Requests,
  ) {}

  onStatus(status: number): void {
    this.events.push(`status ${status}`);
  }

  onBody(bytes: number): void {
    const last = this.events.length - 1;
    if (last >= 0 && this.events[last]!.startsWith('body ')) this.events[last] = `body ${Number(this.events[last]!.slice(5)) + bytes}`;
    else this.events.push(`body ${bytes}`);
  }

  onComplete(keepAlive: boolean): void {
    this.events.push(keepAlive ? 'complete keep-alive' : 'complete close');
    if (this.firstCompleteAt < 0) this.firstCompleteAt = this.pieceStart + this.pieceLength;
    // the client writes its next request as soon as the connection is free again
    if (keepAlive && this.next < this.requests.length) this.parser?.expect(this.requests[this.next++]!);
  }

  onError(code: ParseErrorCode): void {
    this.events.push(`error ${code}`);
  }
}

export interface ParserRun {
  events: ParserEvent[];
  /** Only exact when the pieces are single bytes. */
  firstCompleteAt: number;
}

/** Passes every report on to its current target: one parser, reused across runs as on a real connection. */
class Forwarder implements ResponseHandler {
  target: ResponseHandler = new Recorder(undefined, []);
  onStatus(status: number): void {
    this.target.onStatus(status);
  }
  onBody(bytes: number): void {
    this.target.onBody(bytes);
  }
  onComplete(keepAlive: boolean): void {
    this.target.onComplete(keepAlive);
  }
  onError(code: ParseErrorCode): void {
    this.target.onError(code);
  }
}

/** One parser to reuse across runs; each run resets it first. */
export class ReusedParser {
  private readonly forwarder = new Forwarder();
  readonly parser = new ResponseParser(this.forwarder);

  /**
   * Feeds `pieces` after `expect` for the first request (the next ones are expected as each
   * response completes); `closed`: the server then closes the connection (`finish`).
   */
  run(pieces: readonly Buffer[], requests: Requests, closed: boolean): ParserRun {
    const recorder = new Recorder(this.parser, requests);
    this.forwarder.target = recorder;
    this.parser.reset();
    if (requests.length > 0) this.parser.expect(requests[0]!);
    for (const piece of pieces) {
      recorder.pieceLength = piece.length;
      this.parser.execute(piece);
      recorder.pieceStart += piece.length;
    }
    if (closed) this.parser.finish();
    return { events: recorder.events, firstCompleteAt: recorder.firstCompleteAt };
  }
}

/** The stream whole, then cut in two at every byte boundary, then one byte at a time. */
export function* everySplit(bytes: Buffer): Generator<Buffer[]> {
  yield [bytes];
  for (let cut = 1; cut < bytes.length; cut++) yield [bytes.subarray(0, cut), bytes.subarray(cut)];
  yield byteByByte(bytes);
}

export function byteByByte(bytes: Buffer): Buffer[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/** Cut into pieces of random lengths (1 to 16 bytes, sometimes an empty piece between). */
export function randomSplit(bytes: Buffer, random: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (random() < 0.05) pieces.push(bytes.subarray(pos, pos));
    const length = 1 + Math.floor(random() * 16);
    pieces.push(bytes.subarray(pos, pos + length));
    pos += length;
  }
  return pieces;
}

/** Printable and unambiguous: CR, LF, tab, quotes, backslash and non-ASCII bytes escaped. */
export function escapeBytes(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x0d) text += '\\r';
    else if (byte === 0x0a) text += '\\n';
    else if (byte === 0x09) text += '\\t';
    else if (byte === 0x5c) text += '\\\\';
    else if (byte === 0x27) text += "\\'";
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `'${text}'`;
}
