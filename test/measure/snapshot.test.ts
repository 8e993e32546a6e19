import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import { decodeSnapshot, emptyStats, encodeStats, mergeStats, newHistogram } from '../../engine/measure/snapshot.js';
import { distribution, centralFigures, mode } from '../../engine/measure/statistics.js';
import { seededRandom } from '../helpers/seeded-random.js';

test('merging snapshots from many recorders equals one histogram of all the values', () => {
  const random = seededRandom(7);
  const reference = newHistogram();
  const merged = emptyStats();
  let expectedSuccess = 0;
  let expectedBytes = 0;
  for (let worker = 0; worker < 4; worker++) {
    const recorder = new IntervalRecorder();
    for (let i = 0; i < 5000; i++) {
      // a long tail: most requests near 2 ms, some up to 2 s
      const latencyMs = random() < 0.01 ? random() * 2000 : 1 + random() * 2;
      const status = random() < 0.05 ? 503 : 200;
      recorder.recordSent(0.1);
      recorder.recordResponse(status, 100, 0, 0, latencyMs);
      if (status === 200) {
        reference.recordValue(Math.round(latencyMs * 1000));
        expectedSuccess++;
      }
      expectedBytes += 100;
    }
    recorder.recordDropped();
    recorder.recordFailure('refused');
    const wire = JSON.parse(JSON.stringify(recorder.takeSnapshot(0, 0, 0, 1000)));
    mergeStats(merged, decodeSnapshot(wire));
  }
  assert.equal(merged.sources, 4);
  assert.equal(merged.counts.success, expectedSuccess);
  assert.equal(merged.counts.scheduled, 4 * 5001 + 0, 'sent + dropped');
  assert.equal(merged.counts.requests, merged.counts.success + merged.counts.failure);
  assert.equal(merged.counts.bodyBytes, expectedBytes);
  assert.equal(merged.errors.refused, 4);
  assert.equal(merged.counts.dropped, 4);
  assert.equal(merged.statusCodes['503']! + merged.statusCodes['200']!, 20_000);
  assert.deepEqual(distribution(merged.histograms.latencyUs, 1000), distribution(reference, 1000));
  assert.equal(merged.histograms.latencyUs.totalCount, expectedSuccess);
});

test('encodeStats round-trips a merge (what an agent forwards)', () => {
  const recorder = new IntervalRecorder();
  for (let i = 1; i <= 100; i++) recorder.recordResponse(200, i, 0, 0, i);
  const stats = decodeSnapshot(recorder.takeSnapshot(3, 1, 3000, 4000));
  const again = decodeSnapshot(encodeStats(stats));
  assert.deepEqual(again.counts, stats.counts);
  assert.equal(again.interval, 3);
  assert.equal(again.phase, 1);
  assert.deepEqual(distribution(again.histograms.latencyUs), distribution(stats.histograms.latencyUs));
});

test('a recorder starts empty after a snapshot', () => {
  const recorder = new IntervalRecorder();
  recorder.recordResponse(200, 10, 0, 0, 5);
  recorder.takeSnapshot(0, 0, 0, 1000);
  const next = decodeSnapshot(recorder.takeSnapshot(1, 0, 1000, 2000));
  assert.equal(next.counts.requests, 0);
  assert.equal(next.histograms.latencyUs.totalCount, 0);
  assert.deepEqual(next.statusCodes, {});
});

test('statistics of nothing are null, never NaN or sentinels', () => {
  const empty = newHistogram();
  assert.deepEqual(Object.values(distribution(empty)), [null, null, null, null, null, null, null]);
  assert.deepEqual(centralFigures(empty), { median: null, mean: null, mode: null });
});

test('mode is the most frequent value at 3 significant digits', () => {
  const histogram = newHistogram();
  for (const value of [500, 500, 500, 1200, 1200, 39000]) histogram.recordValue(value);
  assert.equal(mode(histogram), 500);
  assert.equal(centralFigures(histogram).median, 500);
});
