import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLatency, IntervalSeries } from '../../engine/measure/interval-series.js';
import { emptyStats, type IntervalStats } from '../../engine/measure/snapshot.js';

function interval(index: number, latencyUs: number): IntervalStats {
  const stats = emptyStats(index, 0, index * 250, (index + 1) * 250);
  stats.sources = 1;
  stats.counts.scheduled = stats.counts.requests = stats.counts.success = 10 + index;
  stats.errors.timeout = index % 2;
  for (let n = 0; n < 10 + index; n++) stats.histograms.latencyUs.recordValue(latencyUs);
  return stats;
}

test('a series keeps every interval while there is room', () => {
  const series = new IntervalSeries(16);
  for (let index = 0; index < 10; index++) series.add(interval(index, 1000 + index));
  const points = series.points();
  assert.equal(points.length, 10);
  assert.deepEqual(
    points.map((point) => point.startMs),
    [...Array(10).keys()].map((index) => index * 250),
  );
  assert.equal(decodeLatency(points[3]!).getValueAtPercentile(50), 1003);
});

test('a long series coarsens pairwise and stays bounded, losing no count and no value', () => {
  const maxPoints = 8;
  const series = new IntervalSeries(maxPoints);
  const intervals = 1000;
  let requests = 0;
  let timeouts = 0;
  for (let index = 0; index < intervals; index++) {
    series.add(interval(index, 1000 + index));
    requests += 10 + index;
    timeouts += index % 2;
    assert.ok(series.size <= maxPoints, `at most ${maxPoints} points after ${index + 1} intervals`);
  }
  const points = series.points();
  assert.equal(
    points.reduce((sum, point) => sum + point.counts.requests, 0),
    requests,
  );
  assert.equal(
    points.reduce((sum, point) => sum + (point.errors.timeout ?? 0), 0),
    timeouts,
  );
  assert.equal(
    points.reduce((sum, point) => sum + decodeLatency(point).totalCount, 0),
    requests,
  );
  // contiguous, in order, covering the whole run
  assert.equal(points[0]!.startMs, 0);
  assert.equal(points.at(-1)!.endMs, intervals * 250);
  for (let index = 1; index < points.length; index++) assert.equal(points[index]!.startMs, points[index - 1]!.endMs);
  assert.ok(series.resolution >= intervals / maxPoints, `resolution ${series.resolution}`);
  // the slowest value recorded is still the max of the last point
  assert.ok(Math.abs(decodeLatency(points.at(-1)!).maxValue - (1000 + intervals - 1)) <= 2);
});

test('a full series coarsens a few pairs per interval, never all at once, and ends at one resolution', () => {
  const maxPoints = 64;
  const series = new IntervalSeries(maxPoints);
  let previousSize = 0;
  let largestDrop = 0;
  for (let index = 0; index < 64 + 96; index++) {
    series.add(interval(index, 1000));
    largestDrop = Math.max(largestDrop, previousSize - series.size);
    previousSize = series.size;
    assert.ok(series.size <= maxPoints, `${series.size} points after ${index + 1} intervals`);
  }
  // halving at once would drop 64 points to 32 in one interval
  assert.ok(largestDrop > 0 && largestDrop <= 2, `at most two pairs merged per interval (largest drop ${largestDrop})`);
  // two passes (at intervals 64 and 128), each finished within 16 intervals: 160 intervals of
  // 250 ms are now 40 points of 1 s
  const widths = new Set(series.points().map((point) => point.endMs - point.startMs));
  assert.deepEqual([...widths], [1000], 'every point covers four 250 ms intervals');
  assert.equal(series.points().length, 40);
  assert.equal(series.resolution, 4);
});

test('the series read in the middle of a coarsening is finished first: contiguous, nothing lost', () => {
  const series = new IntervalSeries(16);
  let requests = 0;
  for (let index = 0; index < 20; index++) {
    series.add(interval(index, 1000));
    requests += 10 + index;
  }
  assert.ok(series.size > 8, 'the coarsening that began at 16 points is still under way');
  const points = series.points();
  assert.equal(
    points.reduce((sum, point) => sum + point.counts.requests, 0),
    requests,
  );
  for (let index = 1; index < points.length; index++) assert.equal(points[index]!.startMs, points[index - 1]!.endMs);
  assert.ok(
    points.every((point) => point.endMs - point.startMs === 500),
    'every point at the coarser resolution',
  );
});

test("the default series holds 4,096 points (the README's figure), then merges two pairs per new interval", () => {
  // one value per interval: the subject is how many points are kept, not their histograms
  const light = (index: number): IntervalStats => {
    const stats = emptyStats(index, 0, index * 250, (index + 1) * 250);
    stats.sources = 1;
    stats.counts.scheduled = stats.counts.requests = stats.counts.success = 1;
    stats.histograms.latencyUs.recordValue(1000);
    return stats;
  };
  const series = new IntervalSeries();
  for (let index = 0; index < 4095; index++) series.add(light(index));
  assert.equal(series.size, 4095, 'every interval kept while there is room');
  assert.equal(series.resolution, 1);
  series.add(light(4095));
  // at 4,096 points the merging begins: two pairs merged, not the whole series halved at once
  assert.equal(series.resolution, 2, 'the coarsening began at the 4,096th point');
  assert.equal(series.size, 4096 - 2, 'two pairs merged for that interval');
  series.add(light(4096));
  assert.equal(series.size, 4094 - 2 + 1, 'two more pairs for the next, which starts a point of its own');
  const points = series.points();
  assert.equal(
    points.reduce((sum, point) => sum + point.counts.requests, 0),
    4097,
  );
});
