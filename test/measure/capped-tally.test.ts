import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCapped, countCapped, MAX_DISTINCT_KEYS, OVERFLOW_KEY } from '../../engine/measure/capped-tally.js';
import { addTally } from '../../engine/measure/snapshot.js';

const total = (counts: Iterable<number>): number => [...counts].reduce((a, b) => a + b, 0);

test("a tally keeps its first 32 keys (the README's bound) and counts the rest under 'other', the sum exact", () => {
  const counts = new Map<number | typeof OVERFLOW_KEY, number>();
  // a target answering with a new status code every time: 1,000 distinct codes, twice each
  for (let round = 0; round < 2; round++) for (let code = 0; code < 1000; code++) countCapped(counts, code);
  assert.equal(counts.size, 32 + 1, 'the 32 keys plus "other"');
  assert.equal(counts.get(0), 2, 'a key that got a slot keeps counting there');
  assert.equal(counts.get(31), 2, 'the 32nd key has a slot');
  assert.equal(counts.has(32), false, 'the 33rd does not');
  assert.equal(counts.get(OVERFLOW_KEY), 2 * (1000 - 32));
  assert.equal(total(counts.values()), 2000);
  // merging keeps the same bound
  const merged: Record<string, number> = {};
  for (let i = 0; i < 100; i++) addCapped(merged, { [`k${i}`]: 1 });
  assert.equal(Object.keys(merged).length, 32 + 1);
  assert.equal(merged[OVERFLOW_KEY], 100 - 32);
});

test('counts under the cap are untouched; n adds n', () => {
  const counts = new Map<string, number>();
  countCapped(counts, 'ECONNREFUSED', 3);
  countCapped(counts, 'EMFILE');
  countCapped(counts, 'ECONNREFUSED');
  assert.deepEqual(Object.fromEntries(counts), { ECONNREFUSED: 4, EMFILE: 1 });
});

test('merging capped records caps again, and the sum is still exact', () => {
  const a: Record<string, number> = {};
  const b: Record<string, number> = {};
  for (let i = 0; i < MAX_DISTINCT_KEYS; i++) {
    a[`a${i}`] = 1;
    b[`b${i}`] = 2;
  }
  b[OVERFLOW_KEY] = 5;
  const merged: Record<string, number> = {};
  addCapped(merged, a);
  addCapped(merged, b);
  assert.equal(Object.keys(merged).length, MAX_DISTINCT_KEYS + 1);
  assert.equal(merged.a0, 1, 'the first source kept its slots');
  assert.equal(merged.b0, undefined);
  assert.equal(merged[OVERFLOW_KEY], 2 * MAX_DISTINCT_KEYS + 5, 'the second source and its own "other" went to "other"');
  assert.equal(total(Object.values(merged)), MAX_DISTINCT_KEYS + 2 * MAX_DISTINCT_KEYS + 5);
  addCapped(merged, { a3: 10, undefinedKey: undefined as unknown as number });
  assert.equal(merged.a3, 11, 'keys already there keep adding up');
  assert.equal('undefinedKey' in merged, false);
});

test('a small cap, to see the boundary', () => {
  const merged: Record<string, number> = { x: 1 };
  addCapped(merged, { y: 1, z: 1 }, 2);
  assert.deepEqual(merged, { x: 1, y: 1, other: 1 });
  const counts = new Map<string, number>();
  for (const key of ['p', 'q', 'r', 'p']) countCapped(counts, key, 1, 2);
  assert.deepEqual(Object.fromEntries(counts), { p: 2, q: 1, other: 1 });
});

test('a key named like an inherited property (toString, constructor) is counted as its own, never added to what it inherits', () => {
  const into: Record<string, number> = {};
  addCapped(into, { toString: 3, constructor: 1, valueOf: 2 });
  addCapped(into, { toString: 1 });
  assert.deepEqual(into, { toString: 4, constructor: 1, valueOf: 2 });
  const errors: Record<string, number> = {};
  addTally(errors, { toString: 2, hasOwnProperty: 1 });
  assert.deepEqual(errors, { toString: 2, hasOwnProperty: 1 });
  // "other" as an own key only: an empty tally has none to inherit
  const other: Record<string, number> = {};
  for (let i = 0; i < MAX_DISTINCT_KEYS + 2; i++) addCapped(other, { [`k${i}`]: 1 });
  assert.equal(other[OVERFLOW_KEY], 2);
});
