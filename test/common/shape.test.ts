/** The checks of values from outside the process, and the stripping of text for a terminal: tables, pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  count,
  integer,
  list,
  nullable,
  number,
  object,
  oneOf,
  optional,
  own,
  record,
  shown,
  text,
  type Shape,
} from '../../common/shape.js';
import { stripControls } from '../../common/strip-controls.js';
import { tally } from '../../common/format.js';

test('each shape says null for what it accepts, and one phrase naming the path for what it does not', () => {
  const table: Array<[Shape, unknown, string | null]> = [
    [count, 0, null],
    [count, 2 ** 53 - 1, null],
    [count, 2 ** 53, 'x is 9007199254740992, not a count'],
    [count, -5, 'x is -5, not a count'],
    [count, 1e308, 'x is 1e+308, not a count'],
    [count, '007', 'x is "007", not a count'],
    [count, 0.5, 'x is 0.5, not a count'],
    [count, undefined, 'x is missing'],
    [number(0, 10), 10, null],
    [number(0, 10), 10.5, 'x is 10.5, not a number from 0 to 10'],
    [number(), Number.NaN, 'x is NaN, not a number'],
    [number(), Number.POSITIVE_INFINITY, 'x is Infinity, not a number'],
    [number(), '1', 'x is "1", not a number'],
    [integer(1, 3), 2, null],
    [integer(1, 3), 4, 'x is 4, not a whole number from 1 to 3'],
    [text(3), 'abc', null],
    [text(3), 'abcd', 'x is "abcd", not a string of at most 3 characters'],
    [oneOf(['a', 'b']), 'b', null],
    [oneOf(['a', 'b']), 'c', 'x is "c", not one of "a", "b"'],
    [nullable(count), null, null],
    [optional(count), undefined, null],
    [optional(count), null, 'x is null, not a count'],
    [list(count, 2), [1, 2], null],
    [list(count, 2), [1, 2, 3], 'x has 3 items, more than 2'],
    [list(count, 2), [1, 'y'], 'x[1] is "y", not a count'],
    [list(count, 2), { 0: 1 }, 'x is {"0":1}, not a list'],
    [record(count, 2), { a: 1 }, null],
    [record(count, 2), { a: 1, b: 2, c: 3 }, 'x has 3 keys, more than 2'],
    [record(count, 2, (key) => (key === 'a' ? null : 'is not a')), { b: 1 }, 'x.b is not a'],
    [record(count, 2), JSON.parse('{"__proto__": 1}'), 'x.__proto__ is not a key'],
    [record(count, 2), [], 'x is [], not an object'],
    [object({ a: count }), { a: 1, extra: 'ignored' }, null],
    [object({ a: object({ b: count }) }), { a: { b: -1 } }, 'x.a.b is -1, not a count'],
    [object({ a: count }), null, 'x is null, not an object'],
  ];
  for (const [shape, value, expected] of table) assert.equal(shape(value, 'x'), expected, JSON.stringify(value) ?? String(value));
});

test('only own properties are read: a name an object inherits is missing', () => {
  assert.equal(own({}, 'toString'), undefined);
  assert.equal(own({ toString: 3 }, 'toString'), 3);
  assert.equal(object({ constructor: count })({}, 'x'), 'x.constructor is missing');
});

test('a value in a reason is short and printable', () => {
  assert.equal(shown('x'.repeat(100)), `"${'x'.repeat(36)}...`);
  assert.equal(shown('\u009b31m'), '"31m"');
  assert.equal(shown(undefined), 'undefined');
});

test('text for a terminal loses its control and format characters; line breaks become spaces', () => {
  const table: Array<[string, string]> = [
    ['plain text', 'plain text'],
    ['\u001b]0;pwned\u0007\u001b[2Jboom', ']0;pwned[2Jboom'],
    ['C1 \u009b31m and \u0085 next line', 'C1 31m and  next line'],
    ['two\r\nlines\tand a tab', 'two lines and a tab'],
    ['bidi \u202eevil\u202c and zero\u200bwidth', 'bidi evil and zerowidth'],
    ['DEL\u007f and NUL\u0000', 'DEL and NUL'],
  ];
  for (const [input, output] of table) assert.equal(stripControls(input), output, JSON.stringify(input));
  assert.equal(stripControls('x'.repeat(600)), `${'x'.repeat(497)}...`);
  assert.equal(stripControls('abcdef', 5), 'ab...');
  assert.equal(tally({ 'E\u001b[31mX': 2, ok: 0 }), 'E[31mX 2', "a tally's keys are printed the same way");
});
