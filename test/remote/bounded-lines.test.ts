/** Lines out of a byte stream, each at most so long, and never more than that held: pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedLines } from '../../engine/remote/bounded-lines.js';

function splitter(maxBytes: number) {
  const lines: string[] = [];
  let overflows = 0;
  const bounded = new BoundedLines(
    maxBytes,
    (line) => lines.push(line),
    () => overflows++,
  );
  return {
    push: (text: string | Buffer) => bounded.push(Buffer.isBuffer(text) ? text : Buffer.from(text)),
    lines,
    overflows: () => overflows,
  };
}

test('lines are split wherever the chunks are cut, CR LF and LF alike, UTF-8 whole across chunks', () => {
  const s = splitter(100);
  s.push('{"a":1}\n{"b"');
  s.push(':2}\r\n\n');
  const euro = Buffer.from('€\n');
  s.push(euro.subarray(0, 1));
  s.push(euro.subarray(1));
  s.push('no newline yet');
  assert.deepEqual(s.lines, ['{"a":1}', '{"b":2}', '', '€']);
  assert.equal(s.overflows(), 0);
});

test('a line of the limit passes; one byte more ends the reading, once, whatever follows', () => {
  const s = splitter(10);
  s.push(`${'x'.repeat(10)}\n`);
  s.push('y'.repeat(6));
  s.push('y'.repeat(5));
  assert.deepEqual(s.lines, ['x'.repeat(10)]);
  assert.equal(s.overflows(), 1, 'the line passed 10 bytes in its second chunk');
  s.push('\nafter\n');
  s.push('z'.repeat(100));
  assert.deepEqual(s.lines, ['x'.repeat(10)], 'nothing is read after the overflow');
  assert.equal(s.overflows(), 1);
});

test('a chunk far past the limit is not held: the overflow comes at once', () => {
  const s = splitter(1024);
  s.push(Buffer.alloc(64 * 1024, 'x'));
  assert.equal(s.overflows(), 1);
  assert.deepEqual(s.lines, []);
});
