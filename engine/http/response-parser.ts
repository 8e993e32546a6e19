/**
 * HTTP/1.1 responses, parsed for a load generator: the status, the body's length as it streams
 * past, and whether the connection stays open. Nothing else is kept: no header strings, no header
 * object, no body bytes. One parser serves one connection for its whole life, so nothing is
 * allocated per response; a line that arrives in pieces is gathered in one reused buffer.
 *
 * Strict where a lenient reading would count a broken server as a working one: CRLF line ends,
 * token header names, a Content-Length of digits only and given once, never beside
 * Transfer-Encoding; chunk sizes in hex with optional extensions, trailers after the last chunk.
 * 1xx interim answers are skipped; HEAD, 204 and 304 have no body; with neither a length nor
 * chunking the body runs until the server closes. test/http/response-parser-differential.test.ts
 * holds it to Node's own parser on the same bytes.
 */

/** What the parser tells its connection. */
export interface ResponseHandler {
  /** the final status (after any 1xx), once its headers are complete */
  onStatus(status: number): void;
  /** `bytes` more body bytes went past */
  onBody(bytes: number): void;
  /** the response is whole; `keepAlive`: the connection may carry the next request */
  onComplete(keepAlive: boolean): void;
  /** the bytes are not HTTP/1.1; a stable code says how. The parser stays failed until `reset`. */
  onError(code: string): void;
}

export const PARSE_ERRORS = {
  status: 'STRESS_ERR_PARSE_STATUS',
  header: 'STRESS_ERR_PARSE_HEADER',
  headerOverflow: 'STRESS_ERR_PARSE_HEADER_OVERFLOW',
  contentLength: 'STRESS_ERR_PARSE_CONTENT_LENGTH',
  chunk: 'STRESS_ERR_PARSE_CHUNK',
  lineEnd: 'STRESS_ERR_PARSE_LINE_END',
  unexpected: 'STRESS_ERR_PARSE_UNEXPECTED_DATA',
  upgrade: 'STRESS_ERR_PARSE_UPGRADE',
  incomplete: 'STRESS_ERR_PARSE_INCOMPLETE',
} as const;

/** Most bytes of a status line and headers together (Node's default is the same). */
export const MAX_HEADER_BYTES = 16 * 1024;

enum State {
  Idle,
  StatusLine,
  HeaderLine,
  BodyLength,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  TrailerLine,
  BodyUntilClose,
  Failed,
}

const CR = 13;
const LF = 10;

/** What the first bytes of a status line may be: `HTTP/1.`, `0` or `1`, a space, three digits, a space. */
const STATUS_PREFIX = 'HTTP/1.? DDD ';
function statusPrefixOk(at: number, byte: number): boolean {
  const expected = STATUS_PREFIX.charCodeAt(at);
  if (at === 7) return byte === 48 || byte === 49;
  if (at === 9) return byte >= 49 && byte <= 57;
  if (at === 10 || at === 11) return byte >= 48 && byte <= 57;
  return byte === expected;
}

/** Characters of an HTTP token (RFC 9110 tchar), by byte value. */
const TOKEN = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[char.charCodeAt(0)] = 1;

export class ResponseParser {
  private state = State.Idle;
  private readonly line = Buffer.allocUnsafe(MAX_HEADER_BYTES);
  private lineLength = 0;
  private headerBytes = 0;
  private headRequest = false;
  private status = 0;
  private http10 = false;
  private keepAlive = true;
  private contentLength = -1;
  private chunked = false;
  private transferEncoding = false;
  private remaining = 0;
  /** moves on whenever the connection resets the parser, so a callback that did ends the loop */
  private generation = 0;

  constructor(private readonly handler: ResponseHandler) {}

  /** A request is about to be written: its response comes next. */
  expect(headRequest: boolean): void {
    this.headRequest = headRequest;
    this.startResponse();
  }

  /** For a new connection, or after an error. */
  reset(): void {
    this.generation++;
    this.state = State.Idle;
    this.lineLength = 0;
  }

  execute(chunk: Buffer): void {
    const generation = this.generation;
    let at = 0;
    while (at < chunk.length && this.generation === generation) {
      switch (this.state) {
        case State.Idle:
          this.fail(PARSE_ERRORS.unexpected);
          return;
        case State.Failed:
          return;
        case State.BodyLength: {
          const take = Math.min(this.remaining, chunk.length - at);
          at += take;
          this.remaining -= take;
          this.handler.onBody(take);
          if (this.remaining === 0 && this.generation === generation) this.complete();
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - at);
          at += take;
          this.remaining -= take;
          this.handler.onBody(take);
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
        case State.BodyUntilClose:
          this.handler.onBody(chunk.length - at);
          at = chunk.length;
          break;
        default:
          at = this.gatherLine(chunk, at);
      }
    }
  }

  /** The server closed the connection. */
  finish(): void {
    if (this.state === State.BodyUntilClose) {
      this.keepAlive = false;
      this.complete();
    } else if (this.state !== State.Idle && this.state !== State.Failed) {
      this.fail(PARSE_ERRORS.incomplete);
    }
  }

  private startResponse(): void {
    this.state = State.StatusLine;
    this.lineLength = 0;
    this.headerBytes = 0;
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.transferEncoding = false;
  }

  /** Adds bytes up to the next LF to the line; a whole line is handled. Returns the next offset. */
  private gatherLine(chunk: Buffer, at: number): number {
    const lf = chunk.indexOf(LF, at);
    const end = lf < 0 ? chunk.length : lf;
    const length = end - at;
    const counted = this.state === State.StatusLine || this.state === State.HeaderLine;
    if (this.lineLength + length >= this.line.length || (counted && this.headerBytes + length > MAX_HEADER_BYTES)) {
      this.fail(counted ? PARSE_ERRORS.headerOverflow : PARSE_ERRORS.chunk);
      return chunk.length;
    }
    chunk.copy(this.line, this.lineLength, at, end);
    const checkedTo = this.lineLength;
    this.lineLength += length;
    if (counted) this.headerBytes += length + 1;
    // judged as the bytes come, as Node's parser does: a server sending garbage without a line
    // end fails at once, not at the deadline
    const problem = this.partialProblem(checkedTo, this.lineLength);
    if (problem !== null) {
      this.fail(problem);
      return chunk.length;
    }
    if (lf < 0) return chunk.length;
    if (this.lineLength === 0 || this.line[this.lineLength - 1] !== CR) {
      this.fail(PARSE_ERRORS.lineEnd);
      return chunk.length;
    }
    const lineEnd = this.lineLength - 1;
    this.lineLength = 0;
    this.onLine(lineEnd);
    return lf + 1;
  }

  /** One line without its CRLF: `line[0..end)`. */
  private onLine(end: number): void {
    switch (this.state) {
      case State.StatusLine:
        this.onStatusLine(end);
        return;
      case State.HeaderLine:
        if (end === 0) this.onHeadersEnd();
        else this.onHeader(end);
        return;
      case State.ChunkSize:
        this.onChunkSize(end);
        return;
      case State.ChunkDataEnd:
        if (end !== 0) {
          this.fail(PARSE_ERRORS.chunk);
          return;
        }
        this.state = State.ChunkSize;
        return;
      case State.TrailerLine:
        if (end === 0) {
          this.complete();
          return;
        }
        if (!this.validHeader(end)) {
          this.fail(PARSE_ERRORS.header);
          return;
        }
        return;
    }
  }

  /** `HTTP/1.1 200 OK`: the version, three digits, then a space and any reason (or nothing). */
  private onStatusLine(end: number): void {
    const line = this.line;
    const prefix = end >= 12 && line[0] === 72 && line[1] === 84 && line[2] === 84 && line[3] === 80 && line[4] === 47;
    const version = prefix && line[5] === 49 && line[6] === 46 && (line[7] === 48 || line[7] === 49) && line[8] === 32;
    const d1 = line[9]! - 48;
    const d2 = line[10]! - 48;
    const d3 = line[11]! - 48;
    const digits = d1 >= 1 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9;
    if (!version || !digits || (end > 12 && line[12] !== 32) || !this.visible(13, end)) {
      this.fail(PARSE_ERRORS.status);
      return;
    }
    this.status = d1 * 100 + d2 * 10 + d3;
    this.http10 = line[7] === 48;
    this.keepAlive = !this.http10;
    this.state = State.HeaderLine;
  }

  private onHeader(end: number): void {
    if (!this.validHeader(end)) {
      this.fail(PARSE_ERRORS.header);
      return;
    }
    const colon = this.line.indexOf(58);
    let from = colon + 1;
    let to = end;
    while (from < to && (this.line[from] === 32 || this.line[from] === 9)) from++;
    while (to > from && (this.line[to - 1] === 32 || this.line[to - 1] === 9)) to--;
    if (this.named(colon, 'content-length')) {
      if (this.contentLength >= 0 || from === to || to - from > 15) {
        this.fail(PARSE_ERRORS.contentLength);
        return;
      }
      let value = 0;
      for (let i = from; i < to; i++) {
        const digit = this.line[i]! - 48;
        if (digit < 0 || digit > 9) {
          this.fail(PARSE_ERRORS.contentLength);
          return;
        }
        value = value * 10 + digit;
      }
      this.contentLength = value;
    } else if (this.named(colon, 'transfer-encoding')) {
      this.transferEncoding = true;
      // the last coding decides: only `chunked` there frames the body
      this.chunked = to - from >= 7 && this.lowerEquals(to - 7, to, 'chunked') && (to - from === 7 || this.isSeparator(to - 8));
    } else if (this.named(colon, 'connection')) {
      if (this.hasToken(from, to, 'close')) this.keepAlive = false;
      else if (this.hasToken(from, to, 'keep-alive')) this.keepAlive = true;
    }
  }

  private onHeadersEnd(): void {
    const { status } = this;
    if (status === 101) {
      this.fail(PARSE_ERRORS.upgrade);
      return;
    }
    if (status < 200) {
      // an interim answer (100 Continue, 103 Early Hints): the real one follows
      this.startResponse();
      return;
    }
    if (this.transferEncoding && this.contentLength >= 0) {
      this.fail(PARSE_ERRORS.contentLength);
      return;
    }
    this.handler.onStatus(status);
    if (this.headRequest || status === 204 || status === 304) {
      this.complete();
      return;
    }
    if (this.chunked) {
      this.state = State.ChunkSize;
    } else if (this.contentLength >= 0) {
      this.remaining = this.contentLength;
      if (this.remaining === 0) this.complete();
      else this.state = State.BodyLength;
    } else {
      this.keepAlive = false;
      this.state = State.BodyUntilClose;
    }
  }

  /** `1a3f;name=value`: hex digits, then optional extensions. */
  private onChunkSize(end: number): void {
    let size = 0;
    let i = 0;
    for (; i < end && i < 14; i++) {
      const byte = this.line[i]!;
      const digit =
        byte >= 48 && byte <= 57 ? byte - 48 : byte >= 97 && byte <= 102 ? byte - 87 : byte >= 65 && byte <= 70 ? byte - 55 : -1;
      if (digit < 0) break;
      size = size * 16 + digit;
    }
    const extension = i < end && (this.line[i] === 59 || this.line[i] === 32 || this.line[i] === 9);
    if (i === 0 || (i < end && !extension) || !this.visible(i, end)) {
      this.fail(PARSE_ERRORS.chunk);
      return;
    }
    if (size === 0) {
      this.state = State.TrailerLine;
    } else {
      this.remaining = size;
      this.state = State.ChunkData;
    }
  }

  /** Why the line's bytes `[from, to)` cannot be the start of a valid line, or null. */
  private partialProblem(from: number, to: number): string | null {
    const line = this.line;
    for (let i = from; i < to; i++) {
      const byte = line[i]!;
      // only the line end may follow a CR
      if (i > 0 && line[i - 1] === CR) return PARSE_ERRORS.lineEnd;
      if (byte === CR) continue;
      switch (this.state) {
        case State.StatusLine:
          if (i < STATUS_PREFIX.length ? !statusPrefixOk(i, byte) : (byte < 32 && byte !== 9) || byte === 127) return PARSE_ERRORS.status;
          break;
        case State.HeaderLine:
        case State.TrailerLine: {
          const colon = line.indexOf(58);
          const inName = colon < 0 || colon >= i;
          if (inName ? !(byte < 128 && TOKEN[byte] === 1) && !(byte === 58 && i > 0) : (byte < 32 && byte !== 9) || byte === 127) {
            return PARSE_ERRORS.header;
          }
          break;
        }
        case State.ChunkSize:
          if ((byte < 32 && byte !== 9) || byte === 127) return PARSE_ERRORS.chunk;
          break;
        case State.ChunkDataEnd:
          return PARSE_ERRORS.chunk;
      }
    }
    return null;
  }

  private complete(): void {
    this.state = State.Idle;
    this.handler.onComplete(this.keepAlive);
  }

  private fail(code: string): void {
    this.state = State.Failed;
    this.handler.onError(code);
  }

  /** `Name: value` with a token name and a value of visible characters, spaces and tabs. */
  private validHeader(end: number): boolean {
    let colon = 0;
    while (colon < end && this.line[colon]! < 128 && TOKEN[this.line[colon]!] === 1) colon++;
    return colon > 0 && colon < end && this.line[colon] === 58 && this.visible(colon + 1, end);
  }

  /** No control characters but tab in `line[from..to)`. */
  private visible(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const byte = this.line[i]!;
      if ((byte < 32 && byte !== 9) || byte === 127) return false;
    }
    return true;
  }

  /** The header name `line[0..colon)` is `name` (lower case), ignoring case. */
  private named(colon: number, name: string): boolean {
    return colon === name.length && this.lowerEquals(0, colon, name);
  }

  private lowerEquals(from: number, to: number, text: string): boolean {
    for (let i = from; i < to; i++) if ((this.line[i]! | 0x20) !== text.charCodeAt(i - from)) return false;
    return true;
  }

  private isSeparator(at: number): boolean {
    const byte = this.line[at];
    return byte === 44 || byte === 32 || byte === 9;
  }

  /** A comma-separated list in `line[from..to)` holds `token`, ignoring case. */
  private hasToken(from: number, to: number, token: string): boolean {
    let start = from;
    for (let i = from; i <= to; i++) {
      if (i < to && this.line[i] !== 44) continue;
      let a = start;
      let b = i;
      while (a < b && (this.line[a] === 32 || this.line[a] === 9)) a++;
      while (b > a && (this.line[b - 1] === 32 || this.line[b - 1] === 9)) b--;
      if (b - a === token.length && this.lowerEquals(a, b, token)) return true;
      start = i + 1;
    }
    return false;
  }
}
