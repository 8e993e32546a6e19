/**
 * The hot path's histogram must be HdrHistogram's, bucket for bucket: the same slot for every
 * value, and, once encoded, the same counts, percentiles, mean and extremes as hdr-histogram-js
 * fed the same values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { BucketCounts, slotOf, valueOfSlot } from '../../engine/measure/bucket-counts.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** The JS histogram's own bucket arithmetic, which its typings leave out. */
type Inner = Histogram & {
  countsArrayIndex(value: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
};

function reference(): Inner {
  return build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true }) as Inner;
}

test('every value lands in the slot hdr-histogram-js gives it, and a slot stands for its lowest equivalent value', () => {
  const hdr = reference();
  hdr.recordValue(2 ** 31); // grown to the fast path's whole range
  const edges = [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 1e6, 2 ** 30, 2 ** 31 - 1];
  const next = seededRandom(7);
  const values = [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(2 ** (next() * 31)))];
  for (const value of values) {
    assert.equal(slotOf(value), hdr.countsArrayIndex(value), `slot of ${value}`);
    assert.equal(valueOfSlot(slotOf(value)), hdr.lowestEquivalentValue(value), `value of the slot of ${value}`);
  }
});

test('encoded, it is the histogram hdr-histogram-js would have made of the same values, huge ones included', () => {
  const next = seededRandom(11);
  const counts = new BucketCounts();
  for (let round = 0; round < 2; round++) {
    const hdr = reference();
    for (let i = 0; i < 50_000; i++) {
      // mostly latencies in µs, some huge (a body of gigabytes), a few zeros
      const value = i % 1000 === 0 ? 2 ** 31 + Math.floor(next() * 1e9) : i % 997 === 0 ? 0 : Math.floor(2 ** (next() * 24));
      const times = 1 + (i % 3);
      counts.recordValueWithCount(value, times);
      hdr.recordValueWithCount(value, times);
    }
    const decoded = decodeFromCompressedBase64(counts.encode(), 64) as Inner;
    counts.reset();
    assert.equal(decoded.totalCount, hdr.totalCount, `round ${round}: count`);
    assert.equal(decoded.highestEquivalentValue(decoded.maxValue), hdr.highestEquivalentValue(hdr.maxValue), `round ${round}: max`);
    assert.equal(decoded.minNonZeroValue, hdr.lowestEquivalentValue(hdr.minNonZeroValue), `round ${round}: min`);
    assert.equal(decoded.mean, hdr.mean, `round ${round}: mean`);
    for (const percentile of [1, 25, 50, 90, 99, 99.9, 99.99, 100])
      assert.equal(decoded.getValueAtPercentile(percentile), hdr.getValueAtPercentile(percentile), `round ${round}: p${percentile}`);
  }
  // reset empties it, huge values included
  counts.recordValue(2 ** 40);
  counts.recordValue(5);
  counts.reset();
  assert.equal(decodeFromCompressedBase64(counts.encode(), 64).totalCount, 0);
});

/** Every bucket's count of a decoded histogram, from its lowest to its highest value. */
function bucketsOf(histogram: Inner): Map<number, number> {
  const buckets = new Map<number, number>();
  if (histogram.totalCount === 0) return buckets;
  for (let value = 0; value <= histogram.maxValue; value = histogram.highestEquivalentValue(value) + 1) {
    const count = histogram.countsArrayIndex(value);
    const n = (histogram as unknown as { getCountAtIndex(index: number): number }).getCountAtIndex(count);
    if (n !== 0) buckets.set(histogram.lowestEquivalentValue(value), n);
  }
  return buckets;
}

test('encoded straight from its counts (no huge values), bucket for bucket what hdr-histogram-js holds; sums add up', () => {
  const next = seededRandom(23);
  const shapes: Array<[string, () => number, () => number]> = [
    ['latencies', () => Math.floor(2 ** (next() * 24)), () => 1],
    ['one value', () => 1500, () => 1],
    [
      'far apart, with long runs of empty buckets and single ones',
      () => (next() < 0.5 ? Math.floor(next() * 3) : 2 ** 30 + Math.floor(next() * 5)),
      () => 1,
    ],
    ['counts that take many bytes', () => Math.floor(next() * 5000), () => Math.floor(next() * 2 ** 45)],
  ];
  for (const [shape, value, times] of shapes) {
    const counts = new BucketCounts();
    const half = new BucketCounts();
    const hdr = reference();
    for (let i = 0; i < 20_000; i++) {
      const v = value();
      const n = times();
      (i % 2 === 0 ? counts : half).recordValueWithCount(v, n);
      hdr.recordValueWithCount(v, n);
    }
    counts.add(half);
    const decoded = decodeFromCompressedBase64(counts.encode(), 64) as Inner;
    assert.equal(decoded.totalCount, hdr.totalCount, `${shape}: count`);
    assert.deepEqual(bucketsOf(decoded), bucketsOf(hdr), `${shape}: buckets`);
    assert.equal(decoded.mean, hdr.mean, `${shape}: mean`);
    assert.equal(decoded.getValueAtPercentile(99), hdr.getValueAtPercentile(99), `${shape}: p99`);
  }
  const empty = decodeFromCompressedBase64(new BucketCounts().encode(), 64);
  assert.equal(empty.totalCount, 0);
  assert.equal(empty.maxValue, 0);
});
