/**
 * The response parser, row by row: what it reports for each kind of response and each fault, the
 * same whether the bytes arrive whole, cut in two at any byte boundary, or one byte at a time. What
 * Node's own parser does with the same bytes is the business of response-parser-differential.test.ts;
 * rows marked "as Node" pin behaviour taken from it on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CHUNK_LINE_BYTES,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  PARSE_ERROR,
  ResponseParser,
  type ParseErrorCode,
} from '../../engine/http/parse/response-parser.js';
import { escapeBytes, everySplit, ReusedParser, type ParserEvent, type Requests } from '../helpers/parser-runs.js';

const status = (code: number): ParserEvent => `status ${code}`;
const body = (bytes: number): ParserEvent => `body ${bytes}`;
const KEEP = 'complete keep-alive';
const CLOSE = 'complete close';
const error = (code: ParseErrorCode): ParserEvent => `error ${code}`;
const E = PARSE_ERROR;

interface Row {
  name: string;
  /** The bytes from the server, one byte per character (latin1). */
  bytes: string;
  /** The requests written, HEAD (true) or not, in order; default: one GET. */
  requests?: Requests;
  /** The server closes the connection after these bytes. */
  closed?: boolean;
  expected: ParserEvent[];
}

const OK = 'HTTP/1.1 200 OK\r\n';
const CHUNKED = `${OK}Transfer-Encoding: chunked\r\n\r\n`;
const EMPTY = 'Content-Length: 0\r\n\r\n';

const rows: Row[] = [
  // ---- the status line ----
  { name: 'a Content-Length body', bytes: `${OK}Content-Length: 5\r\n\r\nhello`, expected: [status(200), body(5), KEEP] },
  {
    name: 'HTTP/1.0 closes after the response',
    bytes: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx',
    expected: [status(200), body(1), CLOSE],
  },
  {
    name: 'HTTP/1.0 with keep-alive stays open',
    bytes: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx',
    expected: [status(200), body(1), KEEP],
  },
  { name: 'no reason phrase', bytes: 'HTTP/1.1 204\r\n\r\n', expected: [status(204), KEEP] },
  { name: 'an empty reason phrase', bytes: `HTTP/1.1 200 \r\n${EMPTY}`, expected: [status(200), KEEP] },
  {
    name: 'a reason with spaces, tabs, control bytes and obs-text (as Node)',
    bytes: `HTTP/1.1 200  A\tB\x01\x00\x7f\x80\xff \r\n${EMPTY}`,
    expected: [status(200), KEEP],
  },
  { name: 'any three digits are a status (as Node): 000', bytes: `HTTP/1.1 000 X\r\n${EMPTY}`, expected: [status(0), KEEP] },
  { name: 'any three digits are a status (as Node): 999', bytes: `HTTP/1.1 999 X\r\n${EMPTY}`, expected: [status(999), KEEP] },
  { name: 'HTTP/2.0 is taken, with HTTP/1.0 rules (as Node)', bytes: `HTTP/2.0 200 OK\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'HTTP/0.9 is taken, with HTTP/1.0 rules (as Node)', bytes: `HTTP/0.9 200 OK\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'CR and LF before the status line are skipped (as Node)', bytes: `\r\n\n\r${OK}${EMPTY}`, expected: [status(200), KEEP] },
  { name: 'a lower-case protocol', bytes: `http/1.1 200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'RTSP/1.0 (llhttp takes it; an HTTP client does not)', bytes: `RTSP/1.0 200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'an unknown version', bytes: `HTTP/1.2 200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a two-digit major version', bytes: `HTTP/11.1 200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'no space after the version', bytes: `HTTP/1.1200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'two spaces before the status', bytes: `HTTP/1.1  200 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a two-digit status', bytes: `HTTP/1.1 20 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a four-digit status', bytes: `HTTP/1.1 2000 OK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'no status at all', bytes: `HTTP/1.1 \r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a tab after the status', bytes: `HTTP/1.1 200\tOK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a bare LF ends the status line', bytes: `HTTP/1.1 200 OK\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'a bare LF inside the reason', bytes: `HTTP/1.1 200 O\nK\r\n${EMPTY}`, expected: [error(E.status)] },
  { name: 'CR without LF after the status line', bytes: `HTTP/1.1 200 OK\r${EMPTY}`, expected: [error(E.status)] },
  { name: 'junk before the status line', bytes: `x${OK}${EMPTY}`, expected: [error(E.status)] },
  { name: 'a space before the status line', bytes: ` ${OK}${EMPTY}`, expected: [error(E.status)] },

  // ---- header fields ----
  { name: 'framing names in any case', bytes: `${OK}cONTENT-lENGTH: 2\r\n\r\nab`, expected: [status(200), body(2), KEEP] },
  {
    name: 'names that only begin like a framing header are other headers (the body is close-delimited)',
    bytes: `${OK}Content-Lengthy: 5\r\nContent-Lengt: 5\r\nTransfer-Encodin: chunked\r\nConnectio: close\r\n\r\nabc`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },
  {
    name: 'every token character in a name; empty, blank, tabbed and obs-text values',
    bytes: `${OK}!#$%&'*+-.^_\`|~09azAZ: v\r\nA:\r\nB:   \r\nC:\t\tv\tw \t\r\nD: \x80\xff\r\nE:x\r\n${EMPTY}`,
    expected: [status(200), KEEP],
  },
  { name: 'a space before the colon', bytes: `${OK}X-A : b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'no colon', bytes: `${OK}X-A b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'an empty name', bytes: `${OK}: b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a separator in a name', bytes: `${OK}X(A: b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'obs-text in a name', bytes: `${OK}X\x80: b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'NUL in a name', bytes: `${OK}X\x00: b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a control byte in a value', bytes: `${OK}X: a\x01b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'DEL in a value', bytes: `${OK}X: a\x7fb\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'NUL in a value', bytes: `${OK}X: a\x00b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'obs-fold (a continuation line)', bytes: `${OK}X: a\r\n b\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a space at the start of the first field', bytes: `${OK} X: a\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a bare LF ends a field', bytes: `${OK}X: a\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a bare CR inside a value', bytes: `${OK}X: a\rb\r\n${EMPTY}`, expected: [error(E.header)] },
  { name: 'a bare LF ends the header section', bytes: `${OK}Content-Length: 0\r\n\n`, expected: [error(E.header)] },
  { name: 'CR then not LF ends the header section', bytes: `${OK}Content-Length: 0\r\n\rx`, expected: [error(E.header)] },

  // ---- Content-Length ----
  {
    name: 'leading whitespace (tabs too) and trailing spaces',
    bytes: `${OK}Content-Length:\t 3  \r\n\r\nabc`,
    expected: [status(200), body(3), KEEP],
  },
  { name: 'leading zeros', bytes: `${OK}Content-Length: 0003\r\n\r\nabc`, expected: [status(200), body(3), KEEP] },
  { name: 'zero: complete at the end of the headers', bytes: `${OK}${EMPTY}`, expected: [status(200), KEEP] },
  {
    name: '2^64 - 1 is a length (the close cuts it short)',
    bytes: `${OK}Content-Length: 18446744073709551615\r\n\r\nab`,
    closed: true,
    expected: [status(200), body(2), error(E.incomplete)],
  },
  { name: '2^64 is not', bytes: `${OK}Content-Length: 18446744073709551616\r\n\r\n`, expected: [error(E.contentLength)] },
  { name: 'far over 2^64', bytes: `${OK}Content-Length: 999999999999999999999999\r\n\r\n`, expected: [error(E.contentLength)] },
  { name: 'empty', bytes: `${OK}Content-Length:\r\n\r\n`, expected: [error(E.contentLength)] },
  { name: 'only spaces', bytes: `${OK}Content-Length:   \r\n\r\n`, expected: [error(E.contentLength)] },
  { name: 'a trailing tab (as Node)', bytes: `${OK}Content-Length: 3\t\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'a list', bytes: `${OK}Content-Length: 3, 3\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'a sign', bytes: `${OK}Content-Length: +3\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'negative', bytes: `${OK}Content-Length: -3\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'hexadecimal', bytes: `${OK}Content-Length: 0x3\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'a space between digits', bytes: `${OK}Content-Length: 1 2\r\n\r\nabc`, expected: [error(E.contentLength)] },
  { name: 'obs-text after the digits', bytes: `${OK}Content-Length: 3\x80\r\n\r\nabc`, expected: [error(E.contentLength)] },
  {
    name: 'twice, equal (refused all the same, as Node)',
    bytes: `${OK}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`,
    expected: [error(E.contentLength)],
  },
  { name: 'twice, different', bytes: `${OK}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, expected: [error(E.contentLength)] },
  {
    name: 'cut short by the close',
    bytes: `${OK}Content-Length: 10\r\n\r\nhello`,
    closed: true,
    expected: [status(200), body(5), error(E.incomplete)],
  },
  {
    name: 'more bytes than the length: unexpected',
    bytes: `${OK}Content-Length: 3\r\n\r\nhello`,
    expected: [status(200), body(3), KEEP, error(E.unexpectedData)],
  },

  // ---- Transfer-Encoding: chunked ----
  { name: 'chunks', bytes: `${CHUNKED}5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n`, expected: [status(200), body(6), KEEP] },
  {
    name: 'upper-case hex and leading zeros',
    bytes: `${CHUNKED}00A\r\n0123456789\r\n0000\r\n\r\n`,
    expected: [status(200), body(10), KEEP],
  },
  { name: 'no chunk but the last', bytes: `${CHUNKED}0\r\n\r\n`, expected: [status(200), KEEP] },
  {
    name: 'extensions: tokens, quoted strings with escapes, empty values and names (as Node)',
    bytes: `${CHUNKED}3;a=b;c;d="x\\"y\t\x80";e=;=;;f\r\nabc\r\n2;!#$%&'*+-.^_\`|~=z\r\nde\r\n0;last="\\\t"\r\n\r\n`,
    expected: [status(200), body(5), KEEP],
  },
  {
    name: 'trailers',
    bytes: `${CHUNKED}3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other:\tv\r\n\r\n`,
    expected: [status(200), body(3), KEEP],
  },
  {
    name: 'Connection: close in the trailers closes (as Node)',
    bytes: `${CHUNKED}3\r\nabc\r\n0\r\nConnection: close\r\n\r\n`,
    expected: [status(200), body(3), CLOSE],
  },
  {
    name: 'a size of 2^64 - 1 is a size (the close cuts it short)',
    bytes: `${CHUNKED}ffffffffffffffff\r\nhello`,
    closed: true,
    expected: [status(200), body(5), error(E.incomplete)],
  },
  { name: 'a size over 2^64 - 1', bytes: `${CHUNKED}10000000000000000\r\nhello`, expected: [status(200), error(E.chunk)] },
  { name: 'an empty size', bytes: `${CHUNKED}\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a size that is not hex', bytes: `${CHUNKED}g\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a negative size', bytes: `${CHUNKED}-5\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a 0x prefix', bytes: `${CHUNKED}0x5\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a space after the size', bytes: `${CHUNKED}5 \r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a space before the extension', bytes: `${CHUNKED}5 ;a\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a space after the semicolon', bytes: `${CHUNKED}5; a\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'spaces around the equals sign', bytes: `${CHUNKED}5;a = b\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a semicolon ending the line', bytes: `${CHUNKED}5;a;\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  {
    name: 'an extension value with a separator',
    bytes: `${CHUNKED}5;a=b/c\r\nhello\r\n0\r\n\r\n`,
    expected: [status(200), error(E.chunk)],
  },
  { name: 'two equals signs', bytes: `${CHUNKED}5;a==b\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a quoted name', bytes: `${CHUNKED}5;"a"\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  {
    name: 'a control byte in a quoted value',
    bytes: `${CHUNKED}5;a="\x01"\r\nhello\r\n0\r\n\r\n`,
    expected: [status(200), error(E.chunk)],
  },
  { name: 'an escaped CR in a quoted value', bytes: `${CHUNKED}5;a="\\\r"\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'an unterminated quoted value', bytes: `${CHUNKED}5;a="b\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a token after a quoted value', bytes: `${CHUNKED}5;a="b"c\r\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'a bare LF after the size', bytes: `${CHUNKED}5\nhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'CR CR after the size', bytes: `${CHUNKED}5\r\rhello\r\n0\r\n\r\n`, expected: [status(200), error(E.chunk)] },
  { name: 'more data than the size', bytes: `${CHUNKED}5\r\nhelloX\r\n0\r\n\r\n`, expected: [status(200), body(5), error(E.chunk)] },
  { name: 'a bare LF after the data', bytes: `${CHUNKED}5\r\nhello\n0\r\n\r\n`, expected: [status(200), body(5), error(E.chunk)] },
  { name: 'a bad trailer name', bytes: `${CHUNKED}0\r\nBad Name: x\r\n\r\n`, expected: [status(200), error(E.header)] },
  { name: 'a folded trailer', bytes: `${CHUNKED}0\r\nA: x\r\n y\r\n\r\n`, expected: [status(200), error(E.header)] },
  {
    name: 'a Content-Length trailer (as Node)',
    bytes: `${CHUNKED}0\r\nContent-Length: 3\r\n\r\n`,
    expected: [status(200), error(E.framing)],
  },
  { name: 'CR then not LF after the last chunk', bytes: `${CHUNKED}0\r\n\rx`, expected: [status(200), error(E.header)] },
  {
    name: 'the close before the final CRLF',
    bytes: `${CHUNKED}5\r\nhello\r\n0\r\n`,
    closed: true,
    expected: [status(200), body(5), error(E.incomplete)],
  },
  { name: 'the close inside a chunk', bytes: `${CHUNKED}5\r\nhel`, closed: true, expected: [status(200), body(3), error(E.incomplete)] },

  // ---- which transfer coding is chunked: it must be the last, alone in its element ----
  {
    name: 'gzip, chunked',
    bytes: `${OK}Transfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n`,
    expected: [status(200), body(1), KEEP],
  },
  {
    name: 'upper case, trailing spaces',
    bytes: `${OK}Transfer-Encoding: CHUNKED  \r\n\r\n1\r\nx\r\n0\r\n\r\n`,
    expected: [status(200), body(1), KEEP],
  },
  {
    name: 'a tab after the comma',
    bytes: `${OK}Transfer-Encoding: gzip,\tchunked\r\n\r\n1\r\nx\r\n0\r\n\r\n`,
    expected: [status(200), body(1), KEEP],
  },
  {
    name: 'chunked, gzip: read until the close',
    bytes: `${OK}Transfer-Encoding: chunked, gzip\r\n\r\n1\r\nx\r\n`,
    closed: true,
    expected: [status(200), body(6), CLOSE],
  },
  {
    name: 'a trailing tab: not chunked (as Node)',
    bytes: `${OK}Transfer-Encoding: chunked\t\r\n\r\nabc`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },
  {
    name: 'a trailing comma: not chunked (as Node)',
    bytes: `${OK}Transfer-Encoding: chunked,\r\n\r\nabc`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },
  {
    name: 'chunkedx: not chunked',
    bytes: `${OK}Transfer-Encoding: chunkedx\r\n\r\nabc`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },
  {
    name: 'two fields: the last decides',
    bytes: `${OK}Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n1\r\nx\r\n`,
    closed: true,
    expected: [status(200), body(6), CLOSE],
  },
  {
    name: 'an empty field changes nothing (as Node)',
    bytes: `${OK}Transfer-Encoding: chunked\r\nTransfer-Encoding:\r\n\r\n1\r\nx\r\n0\r\n\r\n`,
    expected: [status(200), body(1), KEEP],
  },
  {
    name: 'gzip alone: read until the close',
    bytes: `${OK}Transfer-Encoding: gzip\r\n\r\nabc`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },

  // ---- Content-Length and Transfer-Encoding together: an error, as llhttp in Node 20's client ----
  {
    name: 'Content-Length, then Transfer-Encoding',
    bytes: `${OK}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n`,
    expected: [error(E.framing)],
  },
  {
    name: 'Transfer-Encoding, then Content-Length',
    bytes: `${OK}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n`,
    expected: [error(E.framing)],
  },
  {
    name: 'a transfer coding other than chunked',
    bytes: `${OK}Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\n`,
    expected: [error(E.framing)],
  },
  {
    name: 'Content-Length, then an empty Transfer-Encoding (as Node)',
    bytes: `${OK}Content-Length: 3\r\nTransfer-Encoding:\r\n\r\n`,
    expected: [error(E.framing)],
  },
  {
    name: 'an empty Transfer-Encoding, then Content-Length (as Node)',
    bytes: `${OK}Transfer-Encoding: \r\nContent-Length: 3\r\n\r\nabc`,
    expected: [status(200), body(3), KEEP],
  },
  {
    name: 'on a HEAD response too',
    bytes: `${OK}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n`,
    requests: [true],
    expected: [error(E.framing)],
  },
  {
    name: 'on a 204 too',
    bytes: 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    expected: [error(E.framing)],
  },

  // ---- close-delimited bodies ----
  { name: 'no length: the body runs to the close', bytes: `${OK}\r\nhello`, closed: true, expected: [status(200), body(5), CLOSE] },
  { name: 'no length, still open: not complete yet', bytes: `${OK}\r\nhello`, expected: [status(200), body(5)] },
  { name: 'no length and no body', bytes: `${OK}\r\n`, closed: true, expected: [status(200), CLOSE] },
  {
    name: 'keep-alive does not change it',
    bytes: `${OK}Connection: keep-alive\r\n\r\nxyz`,
    closed: true,
    expected: [status(200), body(3), CLOSE],
  },
  { name: 'HTTP/1.0', bytes: 'HTTP/1.0 200 OK\r\n\r\nxyz', closed: true, expected: [status(200), body(3), CLOSE] },
  { name: '205 has a body', bytes: 'HTTP/1.1 205 Reset Content\r\n\r\nxyz', closed: true, expected: [status(205), body(3), CLOSE] },

  // ---- Connection ----
  { name: 'close', bytes: `${OK}Connection: close\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'CLOSE', bytes: `${OK}Connection: CLOSE\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'in a list', bytes: `${OK}Connection: foo,\tclose ,bar\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'in a second field', bytes: `${OK}Connection: foo\r\nConnection: close\r\n${EMPTY}`, expected: [status(200), CLOSE] },
  { name: 'closex is another token', bytes: `${OK}Connection: closex\r\n${EMPTY}`, expected: [status(200), KEEP] },
  { name: '"close x" is another token', bytes: `${OK}Connection: close x\r\n${EMPTY}`, expected: [status(200), KEEP] },
  { name: 'a trailing tab makes another token (as Node)', bytes: `${OK}Connection: close\t\r\n${EMPTY}`, expected: [status(200), KEEP] },
  {
    name: 'HTTP/1.0 saying keep-alive and close: close wins (llhttp lets keep-alive win)',
    bytes: `HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n${EMPTY}`,
    expected: [status(200), CLOSE],
  },
  {
    name: 'bytes after close: unexpected',
    bytes: `${OK}Connection: close\r\n${EMPTY}X`,
    expected: [status(200), CLOSE, error(E.unexpectedData)],
  },
  {
    name: 'CR and LF after close are skipped (as Node)',
    bytes: `${OK}Connection: close\r\n${EMPTY}\r\n\r\n`,
    closed: true,
    expected: [status(200), CLOSE],
  },

  // ---- interim responses ----
  {
    name: '100 Continue is skipped',
    bytes: `HTTP/1.1 100 Continue\r\n\r\n${OK}Content-Length: 2\r\n\r\nab`,
    expected: [status(200), body(2), KEEP],
  },
  {
    name: '103 Early Hints with headers is skipped',
    bytes: `HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nLink: </app.js>; rel=preload\r\n\r\n${OK}Content-Length: 2\r\n\r\nab`,
    expected: [status(200), body(2), KEEP],
  },
  {
    name: 'several in a row, any 1xx but 101',
    bytes: `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 199 X\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n`,
    expected: [status(204), KEEP],
  },
  {
    name: 'an interim response has no body whatever its headers say (as Node)',
    bytes: `HTTP/1.1 150 X\r\nContent-Length: 3\r\n\r\nHTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n${OK}Content-Length: 2\r\n\r\nab`,
    expected: [status(200), body(2), KEEP],
  },
  {
    name: 'an interim response that closes: no final response may follow (as Node)',
    bytes: `HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n${OK}${EMPTY}`,
    expected: [error(E.unexpectedData)],
  },
  {
    name: 'an HTTP/1.0 interim response closes too',
    bytes: `HTTP/1.0 100 Continue\r\n\r\n${OK}${EMPTY}`,
    expected: [error(E.unexpectedData)],
  },
  { name: 'the close after an interim response', bytes: 'HTTP/1.1 100 Continue\r\n\r\n', closed: true, expected: [error(E.incomplete)] },
  {
    name: 'an interim response to HEAD',
    bytes: `HTTP/1.1 100 Continue\r\n\r\n${OK}Content-Length: 2\r\n\r\n`,
    requests: [true],
    expected: [status(200), KEEP],
  },

  // ---- 101: not asked for; the response ends there and the connection is done ----
  {
    name: '101 ends the response; what follows belongs to another protocol and is ignored',
    bytes: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nContent-Length: 3\r\n\r\n\x81\x00xyz',
    closed: true,
    expected: [status(101), CLOSE],
  },
  { name: '101 after 100', bytes: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 S\r\n\r\nxyz', expected: [status(101), CLOSE] },

  // ---- responses without a body ----
  { name: 'HEAD with a length', bytes: `${OK}Content-Length: 5\r\n\r\n`, requests: [true], expected: [status(200), KEEP] },
  { name: 'HEAD with chunked', bytes: CHUNKED, requests: [true], expected: [status(200), KEEP] },
  { name: 'HEAD without a length: no body, and kept alive (as Node)', bytes: `${OK}\r\n`, requests: [true], expected: [status(200), KEEP] },
  {
    name: 'HEAD, then body bytes: unexpected',
    bytes: `${OK}Content-Length: 5\r\n\r\nhello`,
    requests: [true],
    expected: [status(200), KEEP, error(E.unexpectedData)],
  },
  { name: '204 with a length', bytes: 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', expected: [status(204), KEEP] },
  { name: '204 with chunked', bytes: 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n', expected: [status(204), KEEP] },
  { name: '304 with a length', bytes: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n', expected: [status(304), KEEP] },
  { name: '204 without a length is kept alive', bytes: 'HTTP/1.1 204 No Content\r\n\r\n', closed: true, expected: [status(204), KEEP] },

  // ---- one connection, several requests ----
  {
    name: 'a length, then chunks, then HEAD, then close-delimited',
    bytes: `${OK}Content-Length: 2\r\n\r\nab${CHUNKED}3\r\nabc\r\n0\r\n\r\n${OK}Content-Length: 9\r\n\r\n${OK}\r\nxyz`,
    requests: [false, false, true, false],
    closed: true,
    expected: [status(200), body(2), KEEP, status(200), body(3), KEEP, status(200), KEEP, status(200), body(3), CLOSE],
  },
  {
    name: 'CR and LF between responses are skipped (as Node)',
    bytes: `${OK}${EMPTY}\r\n\n${OK}${EMPTY}`,
    requests: [false, false],
    expected: [status(200), KEEP, status(200), KEEP],
  },
  {
    name: 'a response with no request outstanding: unexpected (Node drops it silently)',
    bytes: `${OK}${EMPTY}${OK}${EMPTY}`,
    expected: [status(200), KEEP, error(E.unexpectedData)],
  },
  { name: 'bytes before any request', bytes: `${OK}${EMPTY}`, requests: [], expected: [error(E.unexpectedData)] },
  {
    name: 'the next response after a close',
    bytes: `${OK}Connection: close\r\n${EMPTY}${OK}${EMPTY}`,
    requests: [false, false],
    expected: [status(200), CLOSE, error(E.unexpectedData)],
  },

  // ---- the close (finish) ----
  { name: 'the close between responses is nothing', bytes: `${OK}${EMPTY}`, closed: true, expected: [status(200), KEEP] },
  { name: 'the close before any byte of the response', bytes: '', closed: true, expected: [error(E.incomplete)] },
  { name: 'the close inside the status line', bytes: 'HTTP/1.1 2', closed: true, expected: [error(E.incomplete)] },
  { name: 'the close inside the headers', bytes: `${OK}Content-Le`, closed: true, expected: [error(E.incomplete)] },
  { name: 'the close with no request outstanding', bytes: '', requests: [], closed: true, expected: [] },
];

test('each row: the same reports whole, cut in two at every byte boundary, and byte by byte', () => {
  const reused = new ReusedParser();
  let runs = 0;
  for (const row of rows) {
    const bytes = Buffer.from(row.bytes, 'latin1');
    for (const pieces of everySplit(bytes)) {
      const { events } = reused.run(pieces, row.requests ?? [false], row.closed ?? false);
      const cuts = pieces.map((piece) => piece.length).join('+');
      assert.deepEqual(events, row.expected, `${row.name}: ${escapeBytes(bytes)} in pieces ${cuts}`);
      runs++;
    }
  }
  assert.ok(runs > 5000, `${runs} runs`);
});

// ---- limits: a few splits each (the sections are large) ----

function limitRuns(bytes: Buffer): Buffer[][] {
  const cuts = [1, 17, bytes.length >> 1, bytes.length - 3];
  return [[bytes], ...cuts.map((cut) => [bytes.subarray(0, cut), bytes.subarray(cut)])];
}

test('the header section is bounded in bytes and in fields; so are the trailers and a chunk-size line', () => {
  const fill = (bytes: number): string => `X-Fill: ${'v'.repeat(bytes - 'X-Fill: \r\n'.length)}\r\n`;
  const head = `${OK}Content-Length: 0\r\n`;
  const cases: Array<{ name: string; bytes: string; expected: ParserEvent[] }> = [
    {
      name: 'a header section of exactly the limit',
      bytes: `${head}${fill(MAX_HEADER_BYTES - head.length - 2)}\r\n`,
      expected: [status(200), KEEP],
    },
    { name: 'one byte more', bytes: `${head}${fill(MAX_HEADER_BYTES - head.length - 1)}\r\n`, expected: [error(E.headerOverflow)] },
    { name: 'a single endless value', bytes: `${OK}X: ${'v'.repeat(MAX_HEADER_BYTES)}`, expected: [error(E.headerOverflow)] },
    { name: 'an endless reason phrase', bytes: `HTTP/1.1 200 ${'r'.repeat(MAX_HEADER_BYTES)}`, expected: [error(E.headerOverflow)] },
    { name: 'endless leading whitespace in a value', bytes: `${OK}X:${' '.repeat(MAX_HEADER_BYTES)}`, expected: [error(E.headerOverflow)] },
    { name: 'the most fields', bytes: `${OK}${'A: b\r\n'.repeat(MAX_HEADER_FIELDS - 1)}${EMPTY}`, expected: [status(200), KEEP] },
    { name: 'one field more', bytes: `${OK}${'A: b\r\n'.repeat(MAX_HEADER_FIELDS)}${EMPTY}`, expected: [error(E.headerOverflow)] },
    { name: 'the most trailer fields', bytes: `${CHUNKED}0\r\n${'A: b\r\n'.repeat(MAX_HEADER_FIELDS)}\r\n`, expected: [status(200), KEEP] },
    {
      name: 'one trailer field more',
      bytes: `${CHUNKED}0\r\n${'A: b\r\n'.repeat(MAX_HEADER_FIELDS + 1)}\r\n`,
      expected: [status(200), error(E.headerOverflow)],
    },
    {
      name: 'trailers over the byte limit',
      bytes: `${CHUNKED}0\r\n${fill(MAX_HEADER_BYTES)}\r\n`,
      expected: [status(200), error(E.headerOverflow)],
    },
    {
      name: 'a chunk-size line of exactly the limit',
      bytes: `${CHUNKED}1;${'e'.repeat(MAX_CHUNK_LINE_BYTES - 4)}\r\nx\r\n0\r\n\r\n`,
      expected: [status(200), body(1), KEEP],
    },
    {
      name: 'one byte more',
      bytes: `${CHUNKED}1;${'e'.repeat(MAX_CHUNK_LINE_BYTES - 3)}\r\nx\r\n0\r\n\r\n`,
      expected: [status(200), error(E.chunk)],
    },
    { name: 'endless leading zeros', bytes: `${CHUNKED}${'0'.repeat(MAX_CHUNK_LINE_BYTES + 1)}`, expected: [status(200), error(E.chunk)] },
  ];
  const reused = new ReusedParser();
  for (const { name, bytes: text, expected } of cases) {
    const bytes = Buffer.from(text, 'latin1');
    for (const pieces of limitRuns(bytes)) assert.deepEqual(reused.run(pieces, [false], false).events, expected, name);
  }
});

// ---- the parser's life cycle ----

function recording(): { parser: ResponseParser; events: ParserEvent[] } {
  const events: ParserEvent[] = [];
  const parser = new ResponseParser({
    onStatus: (code) => events.push(status(code)),
    onBody: (bytes) => events.push(body(bytes)),
    onComplete: (keepAlive) => events.push(keepAlive ? KEEP : CLOSE),
    onError: (code) => events.push(error(code)),
  });
  return { parser, events };
}

test('after an error the parser stays failed, whatever arrives, until reset', () => {
  const { parser, events } = recording();
  parser.expect(false);
  parser.execute(Buffer.from('HTTP/1.1 2x0 OK\r\n'));
  parser.execute(Buffer.from(`${OK}${EMPTY}`));
  parser.finish();
  assert.deepEqual(events, [error(E.status)]);
  assert.throws(() => parser.expect(false), /outstanding|done/);
  parser.reset();
  parser.expect(false);
  parser.execute(Buffer.from(`${OK}${EMPTY}`));
  assert.deepEqual(events, [error(E.status), status(200), KEEP]);
});

test('expect while a response is outstanding (pipelining) or after the connection is done throws', () => {
  const { parser } = recording();
  parser.expect(false);
  assert.throws(() => parser.expect(false), /outstanding/);
  parser.execute(Buffer.from(`${OK}Connection: close\r\n${EMPTY}`));
  assert.throws(() => parser.expect(false), /done/);
  parser.reset();
  parser.expect(true);
});

test('a reset from a callback stops the rest of the chunk from being read as the new connection', () => {
  const events: ParserEvent[] = [];
  const parser: ResponseParser = new ResponseParser({
    onStatus: (code) => events.push(status(code)),
    onBody: (bytes) => events.push(body(bytes)),
    onComplete: (keepAlive) => {
      events.push(keepAlive ? KEEP : CLOSE);
      parser.reset();
    },
    onError: (code) => events.push(error(code)),
  });
  parser.expect(false);
  parser.execute(Buffer.from(`${OK}Content-Length: 1\r\n\r\nxjunk`));
  assert.deepEqual(events, [status(200), body(1), KEEP]);
  parser.expect(false);
  parser.execute(Buffer.from(`${OK}${EMPTY}`));
  assert.deepEqual(events, [status(200), body(1), KEEP, status(200), KEEP]);
});

test('a large body is counted, not kept: 1 MiB in 64 KiB chunks, and chunked with large chunks', () => {
  const { parser, events } = recording();
  const mib = 1024 * 1024;
  parser.expect(false);
  parser.execute(Buffer.from(`${OK}Content-Length: ${mib}\r\n\r\n`));
  const piece = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < mib; sent += piece.length) parser.execute(piece);
  parser.expect(false);
  parser.execute(Buffer.from(`${CHUNKED}${(mib / 2).toString(16)}\r\n`));
  for (let sent = 0; sent < mib / 2; sent += piece.length) parser.execute(piece);
  parser.execute(Buffer.from('\r\n0\r\n\r\n'));
  const total = (from: number, to: number): number => events.slice(from, to).reduce((sum, event) => sum + Number(event.slice(5)), 0);
  assert.equal(events[0], status(200));
  assert.equal(total(1, 17), mib);
  assert.equal(events[17], KEEP);
  assert.equal(events[18], status(200));
  assert.equal(total(19, 27), mib / 2);
  assert.deepEqual(events.slice(27), [KEEP]);
});
