/**
 * The response side of the lean HTTP/1.1 client: an incremental, byte-exact parser for the
 * responses of one keep-alive connection, reused for every response on it.
 *
 * It reports what a load generator needs and nothing more: the final status, how many body bytes
 * went past (the body is never copied or kept), whether the connection may carry the next request,
 * and a stable error code when the bytes are not a valid response. It keeps no header strings or
 * objects: the three headers that frame a response (Content-Length, Transfer-Encoding, Connection)
 * are recognised byte by byte, case-insensitively, and their values parsed from the bytes.
 *
 * A byte-wise state machine: every state survives a chunk boundary, so a status line, a header name
 * or value, a CRLF pair or a chunk-size line may be split anywhere without any byte being copied or
 * buffered. Nothing is allocated per response (no closure, no string, no object); the limits below
 * bound the work a hostile server can make a response cost.
 *
 * What it accepts is Node 20's own parser (llhttp 9, as its `http` client runs it, not lenient),
 * established byte for byte by test/http/response-parser-differential.test.ts. The differences, on
 * purpose:
 * - data arriving when no response is outstanding is an error, even when it looks like the start of
 *   a response (Node's client silently drops such an unsolicited response);
 * - only `HTTP/` status lines are accepted (llhttp also takes `RTSP/` and `ICE/`);
 * - an HTTP/1.0 response that says both `keep-alive` and `close` is not kept alive (llhttp lets
 *   `keep-alive` win there);
 * - the header limits are ours: 64 KiB per header section and 256 fields per section (Node: 16 KiB
 *   of header bytes as it counts them, no count limit).
 * Behaviours of Node kept although surprising: HTTP/0.9 and HTTP/2.0 status lines are accepted (with
 * HTTP/1.0 connection rules), any three-digit status (000-999) is a status, CR and LF between
 * responses are skipped, every 1xx but 101 is an interim response without a body whatever its headers
 * say, `Transfer-Encoding` after `Content-Length` is an error even when empty (an empty one before it
 * is ignored), and a `Connection: close` in the trailers closes the connection.
 *
 * 101 Switching Protocols is not expected (the client never asks to upgrade). It ends the response
 * like Node's client does: the status is reported, the response completes without a body and with
 * `keepAlive` false, and every later byte belongs to the other protocol and is ignored until `reset`.
 */

import { RepeatedHead } from './repeated-head.js';

/** What the parser reports; each method is called synchronously from `execute` or `finish`. */
export interface ResponseHandler {
  /** The final status of the response (interim 1xx responses are skipped), once its headers are complete. */
  onStatus(status: number): void;
  /** `bytes` more body bytes went past (any number of calls per response). */
  onBody(bytes: number): void;
  /** The response ended; `keepAlive` false when the connection must not carry another request. */
  onComplete(keepAlive: boolean): void;
  /** The bytes are not a valid response, or the connection closed mid-response; failed until `reset`. */
  onError(code: ParseErrorCode): void;
}

/** The stable error codes, one per kind of fault. */
export const PARSE_ERROR = {
  /** The status line: not `HTTP/x.y`, an unsupported version, a status that is not three digits, no CRLF. */
  status: 'STRESS_ERR_PARSE_STATUS',
  /** A header or trailer field: a name that is not a token, a control byte in a value, obs-fold, a bare CR or LF. */
  header: 'STRESS_ERR_PARSE_HEADER',
  /** The header (or trailer) section is over MAX_HEADER_BYTES or MAX_HEADER_FIELDS. */
  headerOverflow: 'STRESS_ERR_PARSE_HEADER_OVERFLOW',
  /** Content-Length: empty, not digits, over 2^64 - 1, or given twice. */
  contentLength: 'STRESS_ERR_PARSE_CONTENT_LENGTH',
  /** Both Content-Length and Transfer-Encoding: the body's length is ambiguous. */
  framing: 'STRESS_ERR_PARSE_FRAMING_CONFLICT',
  /** A chunk-size line (size, extensions, CRLF) or the CRLF after a chunk's data. */
  chunk: 'STRESS_ERR_PARSE_CHUNK',
  /** Bytes where no response may start: none outstanding, or after the server said it would close. */
  unexpectedData: 'STRESS_ERR_PARSE_UNEXPECTED_DATA',
  /** The connection closed before the outstanding response was complete. */
  incomplete: 'STRESS_ERR_PARSE_INCOMPLETE',
} as const;

export type ParseErrorCode = (typeof PARSE_ERROR)[keyof typeof PARSE_ERROR];

/** Bytes of one header section, the status line included (the trailer section has its own budget). */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Fields in one header (or trailer) section. */
export const MAX_HEADER_FIELDS = 256;
/** Bytes of one chunk-size line, its extensions and CRLF included. */
export const MAX_CHUNK_LINE_BYTES = 4 * 1024;

// ---- bytes and byte classes ----

const HTAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const DQUOTE = 0x22;
const COMMA = 0x2c;
const DOT = 0x2e;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;
const DIGIT_0 = 0x30;

/** Builds a 256-entry membership table from inclusive byte ranges. */
function byteClass(...ranges: Array<[number, number]>): Uint8Array {
  const table = new Uint8Array(256);
  for (const [from, to] of ranges) table.fill(1, from, to + 1);
  return table;
}

const single = (chars: string): Array<[number, number]> => [...chars].map((char) => [char.charCodeAt(0), char.charCodeAt(0)]);

/** tchar (RFC 9110 5.6.2): header names and chunk-extension names and values. */
const TOKEN = byteClass([0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], ...single("!#$%&'*+-.^_`|~"));
/** A header value's bytes: HTAB, SP, visible ASCII and obs-text; other control bytes and DEL are not. */
const FIELD_VALUE = byteClass([HTAB, HTAB], [SP, 0x7e], [0x80, 0xff]);
/** Inside a quoted chunk-extension value, unescaped. */
const QDTEXT = byteClass([HTAB, HTAB], [SP, 0x21], [0x23, 0x5b], [0x5d, 0x7e], [0x80, 0xff]);
/** After a backslash in a quoted chunk-extension value. */
const QUOTED_PAIR = FIELD_VALUE;
/** A byte's value as a hex digit, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[DIGIT_0 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
/** ASCII letters folded to lower case, every other byte unchanged. */
const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i + 0x20 : i;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const HTTP_SLASH = ascii('HTTP/');
const HTTP_1_DOT = ascii('HTTP/1.');
/** `HTTP/1.1 200`: protocol, version, space, status code */
const STATUS_PREFIX_BYTES = 12;

// The header names that frame a response, lower case, and the bit of each in a candidate set.
const FIELD_NAMES = [ascii('content-length'), ascii('transfer-encoding'), ascii('connection')];
const FIELD_OTHER = -1;
const FIELD_CONTENT_LENGTH = 0;
const FIELD_TRANSFER_ENCODING = 1;
const FIELD_CONNECTION = 2;

// The list tokens that matter in Transfer-Encoding and Connection values.
const WORDS = [ascii('chunked'), ascii('close'), ascii('keep-alive')];
const WORD_NONE = -1;
const WORD_CHUNKED = 0;
const WORD_CLOSE = 1;
const WORD_KEEP_ALIVE = 2;

// Where a list element stands: before its first byte, inside a word being matched, right after a
// whole word (only spaces may follow before the comma), or inside any other element.
const LIST_START = 0;
const LIST_MATCHING = 1;
const LIST_MATCHED = 2;
const LIST_OTHER = 3;

const TWO_POW_32 = 2 ** 32;

// ---- states ----

// A const enum: tsc writes each state as a number literal, so that the parser's `switch` compiles
// to a jump table instead of a chain of comparisons with module variables. It never leaves this file.
// biome-ignore lint/suspicious/noConstEnum: inlined on purpose (above), and not exported
const enum State {
  /** No response outstanding: only CR and LF may arrive (Node skips them between responses too). */
  Idle = 0,
  /** The last response said the connection closes: only CR and LF may follow. */
  Closed = 1,
  /** A 101 switched protocols: every later byte is ignored. */
  Upgraded = 2,
  /** An error was reported: everything is ignored until `reset`. */
  Failed = 3,
  /** A response is outstanding; its status line has not begun (CR and LF are skipped). */
  Start = 4,
  Protocol = 5,
  Major = 6,
  Dot = 7,
  Minor = 8,
  VersionSp = 9,
  StatusCode = 10,
  StatusEnd = 11,
  Reason = 12,
  StatusLf = 13,
  FieldStart = 14,
  FieldName = 15,
  FieldOws = 16,
  FieldValue = 17,
  LengthValue = 18,
  LengthSpaces = 19,
  ListValue = 20,
  FieldLf = 21,
  SectionLf = 22,
  BodyLength = 23,
  BodyClose = 24,
  ChunkSizeStart = 25,
  ChunkSize = 26,
  ExtStart = 27,
  ExtName = 28,
  ExtValueStart = 29,
  ExtValue = 30,
  ExtQuoted = 31,
  ExtQuotedPair = 32,
  ExtQuotedEnd = 33,
  ChunkSizeLf = 34,
  ChunkData = 35,
  ChunkDataCr = 36,
  ChunkDataLf = 37,
}

export class ResponseParser {
  private state = State.Idle;
  /** Bumped by `reset`, so that `execute` stops when a callback starts a new connection. */
  private generation = 0;
  /** The outstanding request is HEAD: its response has no body. */
  private head = false;
  /** An interim response said the connection closes: the final one can no longer arrive. */
  private interimClosed = false;

  // the message being parsed
  private major = 0;
  private minor = 0;
  private status = 0;
  private inTrailers = false;
  private sectionBytes = 0;
  private sectionFields = 0;
  private hasContentLength = false;
  private hasTransferEncoding = false;
  private chunked = false;
  private connectionClose = false;
  private connectionKeepAlive = false;
  /** Body bytes still to come: of the Content-Length body or of the current chunk. */
  private remaining = 0;

  // the field being parsed
  private field = FIELD_OTHER;
  /** Bit set of FIELD_NAMES still matching the name read so far. */
  private nameCandidates = 0;
  private nameLength = 0;
  private listState = LIST_START;
  private listWord = WORD_NONE;
  private listIndex = 0;
  /** The current Transfer-Encoding value's last element is `chunked`. */
  private listChunked = false;

  // a number (Content-Length, chunk size, status code) as two exact 32-bit halves, so 2^64 - 1 is exact
  private numberHigh = 0;
  private numberLow = 0;
  private digits = 0;
  private protocolIndex = 0;
  private chunkLineBytes = 0;

  /** The last head, to recognise the next in one comparison: plain connections only (null: none). */
  private readonly repeated: RepeatedHead | null;

  /** `readBuffer`: the buffer every read of the connection lands in, from its start; null for TLS chunks. */
  constructor(
    private readonly handler: ResponseHandler,
    readBuffer: Uint8Array | null = null,
  ) {
    this.repeated = readBuffer === null ? null : new RepeatedHead(readBuffer);
  }

  /** Before each request is written: a response is now outstanding (HEAD: one without a body). */
  expect(headRequest: boolean): void {
    if (this.state !== State.Idle) throw new Error('ResponseParser.expect: a response is still outstanding, or the connection is done');
    this.head = headRequest;
    this.interimClosed = false;
    this.state = State.Start;
  }

  /** For a new connection: forgets everything, including a failure. */
  reset(): void {
    this.generation++;
    this.repeated?.forget();
    this.state = State.Idle;
    this.head = false;
    this.interimClosed = false;
  }

  /** The server closed the connection. */
  finish(): void {
    switch (this.state) {
      case State.Failed:
      case State.Upgraded:
      case State.Closed:
        return;
      case State.Idle:
        this.state = State.Closed;
        return;
      case State.BodyClose:
        this.complete(false);
        return;
      default:
        this.fail(PARSE_ERROR.incomplete);
    }
  }

  /** Bytes as they arrive: `chunk[0, end)`; the chunk may be a read buffer reused for the next read. */
  execute(chunk: Uint8Array, end = chunk.length): void {
    const generation = this.generation;
    let pos = 0;
    /** where the head being read began in this chunk; -1: in an earlier one (it is not remembered) */
    let headStart = -1;
    while (pos < end && this.generation === generation) {
      switch (this.state) {
        case State.Failed:
        case State.Upgraded:
          return;

        case State.Idle:
        case State.Closed: {
          const byte = chunk[pos]!;
          if (byte !== CR && byte !== LF) {
            this.fail(PARSE_ERROR.unexpectedData);
            return;
          }
          pos++;
          break;
        }

        // ---- the status line ----

        case State.Start: {
          const byte = chunk[pos]!;
          if (byte === CR || byte === LF) {
            pos++;
            break;
          }
          if (this.interimClosed) {
            this.fail(PARSE_ERROR.unexpectedData);
            return;
          }
          this.beginMessage();
          if (this.repeated !== null) {
            const length = this.repeated.matches(chunk, pos, end);
            if (length > 0) {
              pos += length;
              this.takeRepeated(length);
              this.headersComplete();
              break;
            }
            headStart = pos;
          }
          this.state = State.Protocol;
          // the usual `HTTP/1.x NNN` at once, when it is all here; any other start goes byte by byte
          if (end - pos >= STATUS_PREFIX_BYTES) pos = this.statusPrefix(chunk, pos);
          break;
        }
        case State.Protocol: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== HTTP_SLASH[this.protocolIndex]) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          if (++this.protocolIndex === HTTP_SLASH.length) this.state = State.Major;
          break;
        }
        case State.Major: {
          if (!this.countHeaderByte()) return;
          const digit = chunk[pos++]! - DIGIT_0;
          if (digit < 0 || digit > 9) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.major = digit;
          this.state = State.Dot;
          break;
        }
        case State.Dot: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== DOT) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.state = State.Minor;
          break;
        }
        case State.Minor: {
          if (!this.countHeaderByte()) return;
          const digit = chunk[pos++]! - DIGIT_0;
          if (digit < 0 || digit > 9) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.minor = digit;
          // the versions llhttp accepts: 0.9, 1.0, 1.1 and 2.0
          const major = this.major;
          if (!((major === 1 && digit <= 1) || (major === 0 && digit === 9) || (major === 2 && digit === 0))) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.state = State.VersionSp;
          break;
        }
        case State.VersionSp: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== SP) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.state = State.StatusCode;
          break;
        }
        case State.StatusCode: {
          if (!this.countHeaderByte()) return;
          const digit = chunk[pos++]! - DIGIT_0;
          if (digit < 0 || digit > 9) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.status = this.status * 10 + digit;
          if (++this.digits === 3) this.state = State.StatusEnd;
          break;
        }
        case State.StatusEnd: {
          if (!this.countHeaderByte()) return;
          const byte = chunk[pos++]!;
          if (byte === SP) this.state = State.Reason;
          else if (byte === CR) this.state = State.StatusLf;
          else {
            this.fail(PARSE_ERROR.status);
            return;
          }
          break;
        }
        case State.Reason: {
          // any byte but CR and LF (llhttp takes control bytes here too)
          const from = pos;
          while (pos < end && chunk[pos] !== CR && chunk[pos] !== LF) pos++;
          if (!this.countHeaderBytes(pos - from)) return;
          if (pos === end) break;
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] === LF) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.state = State.StatusLf;
          break;
        }
        case State.StatusLf: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== LF) {
            this.fail(PARSE_ERROR.status);
            return;
          }
          this.state = State.FieldStart;
          break;
        }

        // ---- header and trailer fields ----

        case State.FieldStart: {
          if (!this.inTrailers) {
            const next = this.wholeField(chunk, pos, end);
            if (next !== pos) {
              pos = next;
              break;
            }
          }
          if (!this.countHeaderByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) {
            this.state = State.SectionLf;
            break;
          }
          // a space here would be obs-fold (or a space after the status line): rejected, as by llhttp
          if (TOKEN[byte] === 0) {
            this.fail(PARSE_ERROR.header);
            return;
          }
          if (++this.sectionFields > MAX_HEADER_FIELDS) {
            this.fail(PARSE_ERROR.headerOverflow);
            return;
          }
          const lower = LOWER[byte];
          this.nameCandidates = lower === 0x63 ? 0b101 : lower === 0x74 ? 0b010 : 0; // c: content-length, connection; t: transfer-encoding
          this.nameLength = 1;
          this.state = State.FieldName;
          break;
        }
        case State.FieldName: {
          const from = pos;
          let byte = 0;
          while (pos < end) {
            byte = chunk[pos]!;
            if (TOKEN[byte] === 0) break;
            if (this.nameCandidates !== 0) this.matchName(byte);
            this.nameLength++;
            pos++;
          }
          if (!this.countHeaderBytes(pos - from)) return;
          if (pos === end) break;
          if (!this.countHeaderByte()) return;
          pos++;
          if (byte !== COLON) {
            this.fail(PARSE_ERROR.header);
            return;
          }
          this.field = this.matchedField();
          if (this.field === FIELD_TRANSFER_ENCODING && this.hasContentLength) {
            this.fail(PARSE_ERROR.framing);
            return;
          }
          this.state = State.FieldOws;
          break;
        }
        case State.FieldOws: {
          const byte = chunk[pos]!;
          if (byte === SP || byte === HTAB) {
            if (!this.countHeaderByte()) return;
            pos++;
          } else if (byte === CR) {
            if (!this.countHeaderByte()) return;
            pos++;
            if (!this.endEmptyField()) return;
            this.state = State.FieldLf;
          } else if (this.field === FIELD_CONTENT_LENGTH) {
            this.numberHigh = 0;
            this.numberLow = 0;
            this.state = State.LengthValue;
          } else if (this.field === FIELD_OTHER) {
            this.state = State.FieldValue;
          } else {
            this.listState = LIST_START;
            this.listChunked = false;
            this.state = State.ListValue;
          }
          break;
        }
        case State.FieldValue: {
          const from = pos;
          while (pos < end && FIELD_VALUE[chunk[pos]!] === 1) pos++;
          if (!this.countHeaderBytes(pos - from)) return;
          if (pos === end) break;
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== CR) {
            this.fail(PARSE_ERROR.header);
            return;
          }
          this.state = State.FieldLf;
          break;
        }
        case State.LengthValue: {
          if (!this.countHeaderByte()) return;
          const byte = chunk[pos++]!;
          const digit = byte - DIGIT_0;
          if (digit >= 0 && digit <= 9) {
            if (!this.addDigit(10, digit)) {
              this.fail(PARSE_ERROR.contentLength);
              return;
            }
          } else if (byte === SP) {
            this.state = State.LengthSpaces;
          } else if (byte === CR) {
            if (!this.endContentLength()) return;
            this.state = State.FieldLf;
          } else {
            // a tab, a comma list, a sign, any other byte: not a length (llhttp agrees on each)
            this.fail(PARSE_ERROR.contentLength);
            return;
          }
          break;
        }
        case State.LengthSpaces: {
          if (!this.countHeaderByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) {
            if (!this.endContentLength()) return;
            this.state = State.FieldLf;
          } else if (byte !== SP) {
            this.fail(PARSE_ERROR.contentLength);
            return;
          }
          break;
        }
        case State.ListValue: {
          if (!this.countHeaderByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) {
            this.endList();
            this.state = State.FieldLf;
          } else if (FIELD_VALUE[byte] === 1) {
            this.listByte(byte);
          } else {
            this.fail(PARSE_ERROR.header);
            return;
          }
          break;
        }
        case State.FieldLf: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== LF) {
            this.fail(PARSE_ERROR.header);
            return;
          }
          this.state = State.FieldStart;
          break;
        }
        case State.SectionLf: {
          if (!this.countHeaderByte()) return;
          if (chunk[pos++] !== LF) {
            this.fail(PARSE_ERROR.header);
            return;
          }
          if (this.inTrailers) this.complete(this.keepAlive());
          else {
            if (headStart >= 0) this.rememberHead(chunk, headStart, pos);
            this.headersComplete();
          }
          break;
        }

        // ---- bodies ----

        case State.BodyLength: {
          const available = end - pos;
          if (available < this.remaining) {
            this.remaining -= available;
            pos = end;
            this.handler.onBody(available);
            break;
          }
          const bytes = this.remaining;
          pos += bytes;
          this.remaining = 0;
          this.handler.onBody(bytes);
          if (this.generation === generation && this.state === State.BodyLength) this.complete(this.keepAlive());
          break;
        }
        case State.BodyClose: {
          const bytes = end - pos;
          pos = end;
          this.handler.onBody(bytes);
          break;
        }

        // ---- chunked bodies ----

        case State.ChunkSizeStart: {
          if (!this.countChunkLineByte()) return;
          const digit = HEX[chunk[pos++]!]!;
          if (digit < 0) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          this.numberHigh = 0;
          this.numberLow = digit;
          this.state = State.ChunkSize;
          break;
        }
        case State.ChunkSize: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          const digit = HEX[byte]!;
          if (digit >= 0) {
            if (!this.addDigit(16, digit)) {
              this.fail(PARSE_ERROR.chunk);
              return;
            }
          } else if (byte === SEMICOLON) {
            this.state = State.ExtStart;
          } else if (byte === CR) {
            this.state = State.ChunkSizeLf;
          } else {
            // no whitespace either side of the size, as llhttp
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        // Extensions, `;name[=value]` repeated, value a token or a quoted string. As llhttp: a name may
        // be empty when `;` or `=` follows it, but a line may not end right after `;`; no whitespace.
        case State.ExtStart: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === EQUALS) this.state = State.ExtValueStart;
          else if (TOKEN[byte] === 1) this.state = State.ExtName;
          else if (byte !== SEMICOLON) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ExtName: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === SEMICOLON) this.state = State.ExtStart;
          else if (byte === EQUALS) this.state = State.ExtValueStart;
          else if (TOKEN[byte] === 0) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ExtValueStart: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === SEMICOLON) this.state = State.ExtStart;
          else if (byte === DQUOTE) this.state = State.ExtQuoted;
          else if (TOKEN[byte] === 1) this.state = State.ExtValue;
          else {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ExtValue: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === SEMICOLON) this.state = State.ExtStart;
          else if (TOKEN[byte] === 0) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ExtQuoted: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === DQUOTE) this.state = State.ExtQuotedEnd;
          else if (byte === BACKSLASH) this.state = State.ExtQuotedPair;
          else if (QDTEXT[byte] === 0) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ExtQuotedPair: {
          if (!this.countChunkLineByte()) return;
          if (QUOTED_PAIR[chunk[pos++]!] === 0) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          this.state = State.ExtQuoted;
          break;
        }
        case State.ExtQuotedEnd: {
          if (!this.countChunkLineByte()) return;
          const byte = chunk[pos++]!;
          if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === SEMICOLON) this.state = State.ExtStart;
          else {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          break;
        }
        case State.ChunkSizeLf: {
          if (!this.countChunkLineByte()) return;
          if (chunk[pos++] !== LF) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          this.chunkLineBytes = 0;
          const size = this.numberHigh * TWO_POW_32 + this.numberLow;
          if (size === 0) {
            this.inTrailers = true;
            this.sectionBytes = 0;
            this.sectionFields = 0;
            this.state = State.FieldStart;
          } else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const available = end - pos;
          if (available < this.remaining) {
            this.remaining -= available;
            pos = end;
            this.handler.onBody(available);
            break;
          }
          const bytes = this.remaining;
          pos += bytes;
          this.remaining = 0;
          this.state = State.ChunkDataCr;
          this.handler.onBody(bytes);
          break;
        }
        case State.ChunkDataCr: {
          if (chunk[pos++] !== CR) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          this.state = State.ChunkDataLf;
          break;
        }
        case State.ChunkDataLf: {
          if (chunk[pos++] !== LF) {
            this.fail(PARSE_ERROR.chunk);
            return;
          }
          this.state = State.ChunkSizeStart;
          break;
        }
      }
    }
  }

  // ---- helpers ----

  private fail(code: ParseErrorCode): void {
    this.state = State.Failed;
    this.handler.onError(code);
  }

  private complete(keepAlive: boolean): void {
    this.state = keepAlive ? State.Idle : State.Closed;
    this.handler.onComplete(keepAlive);
  }

  /**
   * Reads `HTTP/1.0 NNN` or `HTTP/1.1 NNN` from `pos` in one step, as the byte-wise states would,
   * and returns the position after it; anything else is left to them (`pos` unchanged).
   */
  private statusPrefix(chunk: Uint8Array, pos: number): number {
    for (let i = 0; i < HTTP_1_DOT.length; i++) if (chunk[pos + i] !== HTTP_1_DOT[i]) return pos;
    const minor = chunk[pos + 7]! - DIGIT_0;
    if ((minor !== 0 && minor !== 1) || chunk[pos + 8] !== SP) return pos;
    const hundreds = chunk[pos + 9]! - DIGIT_0;
    const tens = chunk[pos + 10]! - DIGIT_0;
    const units = chunk[pos + 11]! - DIGIT_0;
    if (hundreds < 0 || hundreds > 9 || tens < 0 || tens > 9 || units < 0 || units > 9) return pos;
    this.major = 1;
    this.minor = minor;
    this.status = hundreds * 100 + tens * 10 + units;
    this.digits = 3;
    this.sectionBytes += STATUS_PREFIX_BYTES;
    this.state = State.StatusEnd;
    return pos + STATUS_PREFIX_BYTES;
  }

  /**
   * Reads one whole header field, CRLF included, from `pos` in one step when it is all in the chunk
   * and is the common case (any field but the two list fields, or a first plain Content-Length), and
   * returns the position after it. Anything else, an error included, returns `pos` with nothing
   * changed, and the byte-wise states read the field and report exactly what they would have.
   */
  private wholeField(chunk: Uint8Array, pos: number, end: number): number {
    let at = pos;
    while (at < end && TOKEN[chunk[at]!] === 1) at++;
    const nameLength = at - pos;
    if (nameLength === 0 || at === end || chunk[at] !== COLON) return pos;
    const field = this.fieldOfName(chunk, pos, nameLength);
    at++;
    let contentLength = -1;
    if (field === FIELD_OTHER) {
      while (at < end && FIELD_VALUE[chunk[at]!] === 1) at++;
    } else if (field === FIELD_CONTENT_LENGTH) {
      if (this.hasContentLength || this.hasTransferEncoding) return pos;
      while (at < end && (chunk[at] === SP || chunk[at] === HTAB)) at++;
      const digitsFrom = at;
      let value = 0;
      while (at < end) {
        const digit = chunk[at]! - DIGIT_0;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
        at++;
      }
      // up to 15 digits the value is exact in a double; longer ones are left to the byte-wise states
      if (at === digitsFrom || at - digitsFrom > 15) return pos;
      while (at < end && chunk[at] === SP) at++;
      contentLength = value;
    } else {
      return pos;
    }
    if (at + 1 >= end || chunk[at] !== CR || chunk[at + 1] !== LF) return pos;
    at += 2;
    const sectionBytes = this.sectionBytes + (at - pos);
    if (sectionBytes > MAX_HEADER_BYTES || this.sectionFields + 1 > MAX_HEADER_FIELDS) return pos;
    this.sectionBytes = sectionBytes;
    this.sectionFields++;
    if (contentLength >= 0) {
      this.hasContentLength = true;
      this.remaining = contentLength;
    }
    return at;
  }

  /** Which framing field a whole name is (compared case-insensitively), or FIELD_OTHER. */
  private fieldOfName(chunk: Uint8Array, from: number, length: number): number {
    for (let field = 0; field < FIELD_NAMES.length; field++) {
      const name = FIELD_NAMES[field]!;
      if (name.length !== length) continue;
      let i = 0;
      while (i < length && LOWER[chunk[from + i]!] === name[i]) i++;
      if (i === length) return field;
    }
    return FIELD_OTHER;
  }

  /** A status line begins: everything the last message set is forgotten. */
  private beginMessage(): void {
    this.major = 0;
    this.minor = 0;
    this.status = 0;
    this.digits = 0;
    this.protocolIndex = 0;
    this.inTrailers = false;
    this.sectionBytes = 0;
    this.sectionFields = 0;
    this.hasContentLength = false;
    this.hasTransferEncoding = false;
    this.chunked = false;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.remaining = 0;
    this.chunkLineBytes = 0;
  }

  /**
   * Keeps a final response's head, read field by field from `chunk[from, to)`, with what it said.
   * Interim responses and 101 are not kept: they end differently (headersComplete).
   */
  private rememberHead(chunk: Uint8Array, from: number, to: number): void {
    const repeated = this.repeated!;
    const status = this.status;
    if (status < 200 || !repeated.remember(chunk, from, to)) {
      repeated.forget();
      return;
    }
    repeated.status = status;
    repeated.major = this.major;
    repeated.minor = this.minor;
    repeated.hasContentLength = this.hasContentLength;
    repeated.contentLength = this.remaining;
    repeated.hasTransferEncoding = this.hasTransferEncoding;
    repeated.chunked = this.chunked;
    repeated.connectionClose = this.connectionClose;
    repeated.connectionKeepAlive = this.connectionKeepAlive;
  }

  /** The message's head is the remembered one (`length` bytes): what it said, as if read again. */
  private takeRepeated(length: number): void {
    const repeated = this.repeated!;
    this.status = repeated.status;
    this.major = repeated.major;
    this.minor = repeated.minor;
    this.hasContentLength = repeated.hasContentLength;
    this.remaining = repeated.contentLength;
    this.hasTransferEncoding = repeated.hasTransferEncoding;
    this.chunked = repeated.chunked;
    this.connectionClose = repeated.connectionClose;
    this.connectionKeepAlive = repeated.connectionKeepAlive;
    this.sectionBytes = length;
  }

  /** Counts one byte of the header (or trailer) section against its limit; false once failed. */
  private countHeaderByte(): boolean {
    if (++this.sectionBytes <= MAX_HEADER_BYTES) return true;
    this.fail(PARSE_ERROR.headerOverflow);
    return false;
  }

  private countHeaderBytes(bytes: number): boolean {
    this.sectionBytes += bytes;
    if (this.sectionBytes <= MAX_HEADER_BYTES) return true;
    this.fail(PARSE_ERROR.headerOverflow);
    return false;
  }

  private countChunkLineByte(): boolean {
    if (++this.chunkLineBytes <= MAX_CHUNK_LINE_BYTES) return true;
    this.fail(PARSE_ERROR.chunk);
    return false;
  }

  /** Appends a digit to the number being read; false when it passes 2^64 - 1. */
  private addDigit(base: number, digit: number): boolean {
    const low = this.numberLow * base + digit;
    const carry = Math.floor(low / TWO_POW_32);
    this.numberLow = low - carry * TWO_POW_32;
    this.numberHigh = this.numberHigh * base + carry;
    return this.numberHigh < TWO_POW_32;
  }

  /** Narrows the candidate names by the next byte of the field name (index `nameLength`). */
  private matchName(byte: number): void {
    const lower = LOWER[byte]!;
    const index = this.nameLength;
    let candidates = this.nameCandidates;
    for (let field = 0; field < FIELD_NAMES.length; field++) {
      const bit = 1 << field;
      if ((candidates & bit) === 0) continue;
      const name = FIELD_NAMES[field]!;
      if (index >= name.length || name[index] !== lower) candidates &= ~bit;
    }
    this.nameCandidates = candidates;
  }

  private matchedField(): number {
    for (let field = 0; field < FIELD_NAMES.length; field++) {
      if ((this.nameCandidates & (1 << field)) !== 0 && FIELD_NAMES[field]!.length === this.nameLength) return field;
    }
    return FIELD_OTHER;
  }

  /** A field whose value is empty (or only whitespace). */
  private endEmptyField(): boolean {
    if (this.field === FIELD_CONTENT_LENGTH) {
      this.fail(PARSE_ERROR.contentLength);
      return false;
    }
    // an empty Transfer-Encoding neither frames the body nor conflicts with a later Content-Length
    return true;
  }

  private endContentLength(): boolean {
    if (this.hasContentLength) {
      this.fail(PARSE_ERROR.contentLength); // duplicates are refused even when equal, as llhttp
      return false;
    }
    if (this.hasTransferEncoding) {
      this.fail(PARSE_ERROR.framing);
      return false;
    }
    this.hasContentLength = true;
    this.remaining = this.numberHigh * TWO_POW_32 + this.numberLow;
    return true;
  }

  /**
   * One byte of a Transfer-Encoding or Connection value, read as a comma-separated list. An element
   * is a word when it is the word alone, after optional leading whitespace and before optional
   * trailing spaces (a trailing tab makes it another element, as in llhttp).
   */
  private listByte(byte: number): void {
    switch (this.listState) {
      case LIST_START: {
        if (byte === SP || byte === HTAB || byte === COMMA) return;
        const lower = LOWER[byte];
        let word = WORD_NONE;
        if (this.field === FIELD_TRANSFER_ENCODING) {
          if (lower === WORDS[WORD_CHUNKED]![0]) word = WORD_CHUNKED;
        } else if (lower === WORDS[WORD_CLOSE]![0]) {
          word = WORD_CLOSE;
        } else if (lower === WORDS[WORD_KEEP_ALIVE]![0]) {
          word = WORD_KEEP_ALIVE;
        }
        this.listWord = word;
        this.listIndex = 1;
        this.listState = word === WORD_NONE ? LIST_OTHER : LIST_MATCHING;
        return;
      }
      case LIST_MATCHING: {
        const word = WORDS[this.listWord]!;
        if (LOWER[byte] === word[this.listIndex]) {
          if (++this.listIndex === word.length) this.listState = LIST_MATCHED;
        } else {
          this.listState = byte === COMMA ? LIST_START : LIST_OTHER;
        }
        return;
      }
      case LIST_MATCHED: {
        if (byte === SP) return;
        if (byte === COMMA) {
          this.endListElement(true);
          this.listState = LIST_START;
        } else {
          this.listState = LIST_OTHER;
        }
        return;
      }
      default:
        if (byte === COMMA) this.listState = LIST_START;
    }
  }

  /** An element ended; `matched`: it was exactly the word being matched. */
  private endListElement(matched: boolean): void {
    if (this.field === FIELD_TRANSFER_ENCODING) {
      this.listChunked = matched;
    } else if (this.field === FIELD_CONNECTION && matched) {
      if (this.listWord === WORD_CLOSE) this.connectionClose = true;
      else if (this.listWord === WORD_KEEP_ALIVE) this.connectionKeepAlive = true;
    }
  }

  /** A (non-empty) Transfer-Encoding or Connection value ended. */
  private endList(): void {
    this.endListElement(this.listState === LIST_MATCHED);
    if (this.field === FIELD_TRANSFER_ENCODING) {
      // a later Transfer-Encoding field decides anew whether the body is chunked: chunked must be last
      this.hasTransferEncoding = true;
      this.chunked = this.listChunked;
    }
  }

  /** HTTP/1.1 stays open unless told to close; the other versions close unless told to stay open. */
  private keepAlive(): boolean {
    if (this.connectionClose) return false;
    return (this.major === 1 && this.minor === 1) || this.connectionKeepAlive;
  }

  /** The blank line after the header fields: what comes next depends on the status and the framing. */
  private headersComplete(): void {
    const status = this.status;
    if (status >= 100 && status < 200 && status !== 101) {
      // an interim response: never a body; the final response follows
      if (!this.keepAlive()) this.interimClosed = true;
      this.state = State.Start;
      return;
    }
    const generation = this.generation;
    // the body's framing is decided before the handler hears of the status (it may call reset)
    let next: number;
    if (status === 101) next = State.Upgraded;
    else if (this.head || status === 204 || status === 304) next = State.Idle;
    else if (this.chunked) next = State.ChunkSizeStart;
    else if (this.hasTransferEncoding)
      next = State.BodyClose; // a transfer coding that is not chunked: read until close
    else if (this.hasContentLength) next = this.remaining === 0 ? State.Idle : State.BodyLength;
    else next = State.BodyClose;
    this.state = next;
    this.handler.onStatus(status);
    if (this.generation !== generation || this.state !== next) return;
    if (next === State.Upgraded) this.handler.onComplete(false);
    else if (next === State.Idle) this.complete(this.keepAlive());
  }
}
