/**
 * stress's histogram must be HdrHistogram's, bucket for bucket: the same slot for every value, the
 * same percentiles, mean, mode and extremes as hdr-histogram-js fed the same values (the reference
 * here), and an encoding each decodes into the other's figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram as Reference } from 'hdr-histogram-js';
import { decodeHistogram } from '../../engine/measure/hdr-decoding.js';
import { HIGHEST_VALUE, Histogram, MAX_SLOTS, slotOf, valueOfSlot } from '../../engine/measure/histogram.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** The JS histogram's own bucket arithmetic, which its typings leave out. */
type Inner = Reference & {
  countsArrayIndex(value: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
  getCountAtIndex(index: number): number;
};

function reference(): Inner {
  return build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true }) as Inner;
}

const PERCENTS = [0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100];

/** Every figure stress reads from a histogram, against the reference's own read-out of the same values. */
function assertSameFigures(mine: Histogram, hdr: Inner, why: string, meanOf: Inner | null = hdr): void {
  assert.equal(mine.totalCount, hdr.totalCount, `${why}: count`);
  if (hdr.totalCount === 0) {
    assert.equal(mine.maxValue, 0, `${why}: max of nothing`);
    return;
  }
  assert.deepEqual(
    mine.valuesAtPercentiles(PERCENTS),
    PERCENTS.map((percent) => hdr.getValueAtPercentile(percent)),
    `${why}: percentiles`,
  );
  assert.equal(mine.getValueAtPercentile(99), hdr.getValueAtPercentile(99), `${why}: p99 alone`);
  assert.equal(mine.maxValue, hdr.highestEquivalentValue(hdr.maxValue), `${why}: max`);
  if (meanOf !== null) assert.equal(mine.mean, meanOf.mean, `${why}: mean`);
  // the reference's mode: the lowest value of the first fullest bucket
  let mode = 0;
  let modeCount = 0;
  for (let index = 0; index <= hdr.countsArrayIndex(hdr.maxValue); index++) {
    if (hdr.getCountAtIndex(index) > modeCount) {
      modeCount = hdr.getCountAtIndex(index);
      mode = index;
    }
  }
  assert.equal(mine.mode(), valueOfSlot(mode), `${why}: mode`);
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

test('values from 2^31 to 2^53 land where hdr-histogram-js puts them, and 2^53 itself fits', () => {
  const next = seededRandom(5);
  const values = [
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 40 + 12345,
    2 ** 52,
    HIGHEST_VALUE - 1,
    ...Array.from({ length: 2000 }, () => Math.floor(2 ** (31 + next() * 22))),
  ];
  const mine = new Histogram();
  const hdr = reference();
  for (const value of values) {
    mine.recordValue(value);
    hdr.recordValue(value);
  }
  // the reference's mean goes astray up there: it finds a bucket through Math.log2, which rounds
  // log2(2^53 - 1) up to 53. Each value's bucket middle from first principles instead: a bucket
  // is 2^(bit length - 11) values wide from 2048 on, and starts at a multiple of its width
  assertSameFigures(mine, hdr, 'huge values', null);
  const middles = values.map((value) => {
    const width = 2 ** Math.max(0, BigInt(value).toString(2).length - 11);
    return Math.floor(value / width) * width + Math.floor(width / 2);
  });
  assert.equal(mine.mean, middles.reduce((sum, middle) => sum + middle, 0) / values.length, 'huge values: mean');
  const top = new Histogram();
  top.recordValue(HIGHEST_VALUE);
  top.recordValue(HIGHEST_VALUE * 4); // counted at the top
  assert.equal(top.totalCount, 2);
  assert.ok(top.maxValue >= HIGHEST_VALUE, `max ${top.maxValue}`);
  assert.ok(slotOf(0) < MAX_SLOTS);
});

test('recorded, added and reset: the figures of hdr-histogram-js fed the same values', () => {
  const next = seededRandom(11);
  const shapes: Array<[string, () => number, () => number]> = [
    ['latencies in µs', () => Math.floor(2 ** (next() * 24)), () => 1 + Math.floor(next() * 3)],
    ['one value', () => 1500, () => 1],
    ['far apart, long runs of empty buckets', () => (next() < 0.5 ? Math.floor(next() * 3) : 2 ** 30 + Math.floor(next() * 5)), () => 1],
    ['counts that take many bytes', () => Math.floor(next() * 5000), () => Math.floor(next() * 2 ** 45)],
    ['zeros and ones', () => Math.floor(next() * 2), () => 1],
  ];
  const reused = new Histogram();
  for (const [shape, value, times] of shapes) {
    reused.reset();
    const half = new Histogram();
    const hdr = reference();
    for (let i = 0; i < 20_000; i++) {
      const v = value();
      const n = times();
      (i % 2 === 0 ? reused : half).recordValueWithCount(v, n);
      hdr.recordValueWithCount(v, n);
    }
    reused.add(half);
    assertSameFigures(reused, hdr, shape);
    // through the wire both ways: ours read by the reference, the reference's read by ours
    assertSameFigures(decodeHistogram(reused.encode()), hdr, `${shape}, decoded`);
    assertSameFigures(decodeHistogram(reused.encodeForThread()), hdr, `${shape}, decoded from a worker thread's form`);
    const back = decodeFromCompressedBase64(reused.encode(), 64) as Inner;
    assert.equal(back.getValueAtPercentile(99.9), hdr.getValueAtPercentile(99.9), `${shape}: read by the reference`);
    assert.equal(back.mean, hdr.mean, `${shape}: mean read by the reference`);
    assertSameFigures(decodeHistogram(encodeIntoCompressedBase64(hdr)), hdr, `${shape}, written by the reference`);
  }
  reused.reset();
  assertSameFigures(reused, reference(), 'reset');
  assertSameFigures(decodeHistogram(new Histogram().encode()), reference(), 'empty, decoded');
  assertSameFigures(decodeHistogram(new Histogram().encodeForThread()), reference(), 'empty, from a worker thread');
  const empty = decodeFromCompressedBase64(new Histogram().encode(), 64);
  assert.equal(empty.totalCount, 0);
});

test('adding grows the counts to the other histogram range, and adding nothing changes nothing', () => {
  const small = new Histogram();
  small.recordValue(3);
  const large = new Histogram();
  large.recordValue(5e9);
  large.recordValue(7);
  small.add(large);
  small.add(new Histogram());
  const hdr = reference();
  for (const value of [3, 5e9, 7]) hdr.recordValue(value);
  assertSameFigures(small, hdr, 'grown by add');
  // a histogram holds only the range it saw: it grows down as well as up, one value at a time
  const downward = new Histogram();
  const reversed = reference();
  for (let value = 5_000_000; value >= 1; value = Math.floor(value / 1.7)) {
    downward.recordValueWithCount(value, 2);
    reversed.recordValueWithCount(value, 2);
  }
  assertSameFigures(downward, reversed, 'grown downwards');
  assertSameFigures(decodeHistogram(downward.encodeForThread()), reversed, 'grown downwards, decoded');
  const into = new Histogram();
  into.recordValue(9e6);
  into.add(downward);
  reversed.recordValue(9e6);
  assertSameFigures(into, reversed, 'a range below added into one above');
});
