/** The figures' formatting users read: thousands grouped with commas, rounding, and n/a for what is unknown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count } from '../../common/format.js';

test('count groups thousands with commas, rounds, and says n/a for what is unknown', () => {
  const table: Array<[number | null, string]> = [
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [999.5, '1,000'],
    [1000, '1,000'],
    [12_345, '12,345'],
    [123_456, '123,456'],
    [1_234_567.4, '1,234,567'],
    [200_000, '200,000'],
    [-1234.6, '-1,235'],
    [-0.4, '0'],
    [2 ** 53, '9,007,199,254,740,992'],
    [null, 'n/a'],
    [Number.NaN, 'n/a'],
    [Number.POSITIVE_INFINITY, 'n/a'],
  ];
  for (const [value, text] of table) assert.equal(count(value), text, String(value));
});
