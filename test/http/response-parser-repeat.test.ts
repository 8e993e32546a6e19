/**
 * A repeated response head (http/parse/repeated-head.ts) is taken from the last one only when its bytes are
 * the same: a parser given the connection's read buffer must report exactly what a parser without it
 * reports, for the same bytes, whatever changed in the second head (every byte of it replaced by
 * bytes that matter to a head) and wherever the second response is cut. Pure: no socket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseParser } from '../../engine/http/parse/response-parser.js';

/** Every call the parser makes, in order. */
function recorder(): { log: string[]; parser: (readBuffer: Uint8Array | null) => ResponseParser } {
  const log: string[] = [];
  return {
    log,
    parser: (readBuffer) =>
      new ResponseParser(
        {
          onStatus: (status) => log.push(`status ${status}`),
          onBody: (bytes) => log.push(`body ${bytes}`),
          onComplete: (keepAlive) => log.push(`complete ${keepAlive}`),
          onError: (code) => log.push(`error ${code}`),
        },
        readBuffer,
      ),
  };
}

const RESPONSES: Array<[label: string, text: string]> = [
  [
    'the bundled target',
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Sun, 29 Nov 2026 06:35:44 GMT\r\nuWebSockets: 20\r\nContent-Length: 36\r\n\r\nhello from the stress target server\n',
  ],
  ['empty body', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['HTTP/1.0 kept alive', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'],
  ['204', 'HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n'],
  ['304 with a length', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'],
  ['interim then final', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'],
  ['404 with a body', 'HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\nX-A: b\r\n\r\nno!'],
];

/** Bytes a changed head may hold in place of one of its own. */
const REPLACEMENTS = [0x00, 0x09, 0x20, 0x0d, 0x0a, 0x30, 0x39, 0x3a, 0x78, 0x58, 0x7f, 0xff];

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/**
 * What each parser reports for `first` then `second` on one connection, each response read as one
 * or more reads (the cuts of `second`) landing at the start of the read buffer.
 */
function both(first: Buffer, second: Buffer, cuts: number[], headRequest = false): [string[], string[]] {
  const logs: string[][] = [];
  for (const withBuffer of [true, false]) {
    const readBuffer = Buffer.allocUnsafeSlow(4096);
    const { log, parser: make } = recorder();
    const parser = make(withBuffer ? readBuffer : null);
    const read = (bytes: Buffer): void => {
      bytes.copy(readBuffer);
      parser.execute(readBuffer, bytes.length);
    };
    parser.expect(false);
    read(first);
    if (log.at(-1) === 'complete true') {
      parser.expect(headRequest);
      let from = 0;
      for (const cut of [...cuts, second.length]) {
        read(second.subarray(from, cut));
        from = cut;
      }
    }
    logs.push(log);
  }
  return logs as [string[], string[]];
}

test('a repeated head is reported as read: the same calls as without the read buffer, for the same response', () => {
  for (const [label, text] of RESPONSES) {
    const bytes = latin1(text);
    const [repeated, plain] = both(bytes, bytes, []);
    assert.deepEqual(repeated, plain, label);
    assert.ok(plain.filter((line) => line === 'complete true').length === 2, `${label}: both responses complete: ${plain.join(', ')}`);
    // the second response to a HEAD request: the same head now frames no body
    const [repeatedHead, plainHead] = both(bytes, latin1(text.slice(0, text.indexOf('\r\n\r\n') + 4)), [], true);
    assert.deepEqual(repeatedHead, plainHead, `${label}, HEAD`);
  }
});

test('a head that differs in any byte, or arrives cut, is read field by field: the same calls as without the read buffer', () => {
  let compared = 0;
  for (const [label, text] of RESPONSES) {
    const first = latin1(text);
    const headLength = text.indexOf('\r\n\r\n') + 4;
    for (let at = 0; at < headLength; at++) {
      for (const byte of REPLACEMENTS) {
        if (first[at] === byte) continue;
        const second = Buffer.from(first);
        second[at] = byte;
        const [repeated, plain] = both(first, second, []);
        assert.deepEqual(repeated, plain, `${label}: byte ${at} as 0x${byte.toString(16)}`);
        compared++;
      }
    }
    for (let cut = 1; cut < first.length; cut++) {
      const [repeated, plain] = both(first, first, [cut]);
      assert.deepEqual(repeated, plain, `${label}: cut at ${cut}`);
      compared++;
    }
  }
  assert.ok(compared > 5000, `${compared} cases`);
});
