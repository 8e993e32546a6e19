import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import {
  decodeSnapshot,
  emptyStats,
  encodeStats,
  HISTOGRAM_NAMES,
  mergeStats,
  newHistogram,
  SnapshotDecoder,
  type IntervalStats,
  type Snapshot,
} from '../../engine/measure/snapshot.js';
import { decodeHistogram } from '../../engine/measure/hdr-decoding.js';
import type { Histogram } from '../../engine/measure/histogram.js';
import { StepTimeline } from '../../engine/measure/step-timeline.js';
import { distribution, centralFigures, connectionSetup, generatorDelay, mode } from '../../engine/measure/statistics.js';
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
      recorder.recordSent(0, 0.1);
      recorder.recordResponse(0, status, 100, 0, 0, latencyMs);
      if (status === 200) {
        reference.recordValue(Math.round(latencyMs * 1000));
        expectedSuccess++;
      }
      expectedBytes += 100;
    }
    recorder.recordDropped(0);
    recorder.recordFailure(0, 'refused');
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
  for (let i = 1; i <= 100; i++) recorder.recordResponse(0, 200, i, 0, 0, i);
  const stats = decodeSnapshot(recorder.takeSnapshot(3, 1, 3000, 4000));
  const again = decodeSnapshot(encodeStats(stats));
  assert.deepEqual(again.counts, stats.counts);
  assert.equal(again.interval, 3);
  assert.equal(again.phase, 1);
  assert.deepEqual(distribution(again.histograms.latencyUs), distribution(stats.histograms.latencyUs));
});

/** A sampler's value at a percentile as monitorEventLoopDelay's percentile() gives it (ns), for `samples` values in ms. */
function loopSampler(samplesMs: number[]): { valueAt: (percent: number) => number; count: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const valueAt = (percent: number): number => sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)]! * 1e6;
  return { valueAt, count: sorted.length };
}

test("the generator's delay: a stall is filled in at the sampler's resolution, so it counts as the time it took", () => {
  const recorder = new IntervalRecorder();
  // a second of a loop sampled every 1 ms, on time but for 50 us each, then held 300 ms once
  const { valueAt, count } = loopSampler([...Array.from({ length: 699 }, () => 1.05), 301]);
  recorder.recordLoopDelays(valueAt, count, 1);
  const stats = decodeSnapshot(recorder.takeSnapshot(0, 0, 0, 1000));
  const loop = stats.histograms.loopDelayUs;
  assert.equal(loop.totalCount, 700 + 299, 'the 299 samples the stall prevented (299 ms ... 1 ms late) are recorded too');
  const delay = generatorDelay(stats);
  assert.ok(Math.abs(delay.loopMax! - 300) <= 0.3, `max ${delay.loopMax}`);
  // 300 of 999 samples (30% of the time) were 1..300 ms late: the p99 is about 290 ms, not the 0.05 ms of 99% of the samples
  assert.ok(delay.loopP99! > 280 && delay.loopP99! < 300, `p99 ${delay.loopP99}`);
  assert.equal(distribution(loop).min, 50, 'delays are past the resolution: 1.05 ms between samples is 50 us late');
});

test("the generator's delay merges exactly across workers and load boxes: sums for totals, maxima of maxima", () => {
  const random = seededRandom(11);
  const reference = newHistogram();
  const box = emptyStats();
  let gcTotal = 0;
  let gcMax = 0;
  let loopMax = 0;
  for (let worker = 0; worker < 3; worker++) {
    const recorder = new IntervalRecorder();
    const samples = Array.from({ length: 500 }, () => 1 + random() * 0.2);
    const stall = 1 + 5 * (worker + 1); // 5, 10, 15 ms late
    samples.push(stall);
    loopMax = Math.max(loopMax, stall - 1);
    const { valueAt, count } = loopSampler(samples);
    recorder.recordLoopDelays(valueAt, count, 1);
    // what each worker recorded, apart: the merge must equal their sum
    const alone = new IntervalRecorder();
    alone.recordLoopDelays(valueAt, count, 1);
    reference.add(decodeSnapshot(alone.takeSnapshot(0, 0, 0, 1000)).histograms.loopDelayUs);
    for (const pauseMs of [0.5, 1.25, 2 + worker * 4]) {
      recorder.recordGcPause(pauseMs);
      gcTotal += pauseMs;
      gcMax = Math.max(gcMax, pauseMs);
    }
    mergeStats(box, decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(0, 0, 0, 1000)))));
  }
  // the box forwards its merge; the controller merges it with a second box that has one small worker
  const other = new IntervalRecorder();
  other.recordLoopDelays(loopSampler([1.1, 1.1, 1.2]).valueAt, 3, 1);
  other.recordGcPause(0.75);
  gcTotal += 0.75;
  const otherStats = decodeSnapshot(other.takeSnapshot(0, 0, 0, 1000));
  reference.add(otherStats.histograms.loopDelayUs);
  const run = mergeStats(mergeStats(emptyStats(), decodeSnapshot(encodeStats(box))), otherStats);
  assert.equal(run.counts.gcPauseMs, gcTotal, 'GC pause time adds up');
  assert.deepEqual(distribution(run.histograms.loopDelayUs, 1000), distribution(reference, 1000), 'the loop delay histograms add up');
  assert.equal(run.histograms.gcPauseUs.totalCount, 10, 'every pause is counted once');
  const delay = generatorDelay(run);
  assert.equal(delay.gcPauseTotal, gcTotal);
  // a maximum read from a histogram is its bucket's top: right to 3 significant digits
  assert.ok(Math.abs(delay.gcPauseMax! - gcMax) <= gcMax / 1000, `longest pause ${delay.gcPauseMax}: the longest of any worker`);
  assert.ok(Math.abs(delay.loopMax! - loopMax) <= 0.02, `loop max ${delay.loopMax}: the largest of any worker`);
});

test("an older agent's snapshot has no generator delay: it reads as unknown, not as zero", () => {
  const recorder = new IntervalRecorder();
  recorder.recordResponse(0, 200, 10, 0, 0, 5);
  const wire = recorder.takeSnapshot(0, 0, 0, 1000) as unknown as { counts: Record<string, number>; histograms: Record<string, string> };
  delete wire.histograms.loopDelayUs;
  delete wire.histograms.gcPauseUs;
  delete wire.counts.gcPauseMs;
  const stats = decodeSnapshot(wire as unknown as Parameters<typeof decodeSnapshot>[0]);
  assert.equal(stats.counts.gcPauseMs, 0);
  assert.deepEqual(generatorDelay(stats), { loopP99: null, loopMax: null, gcPauseTotal: null, gcPauseMax: null });
  assert.equal(stats.histograms.latencyUs.totalCount, 1, 'the rest decodes as before');
});

test('connection set-up merges exactly across workers and load boxes: histograms added, protocols and versions summed', () => {
  const random = seededRandom(11);
  const reference = { connect: newHistogram(), handshake: newHistogram() };
  const merged = emptyStats();
  for (let worker = 0; worker < 3; worker++) {
    const recorder = new IntervalRecorder();
    for (let i = 0; i < 200; i++) {
      // a slow handshake now and then, as a loaded server has
      const connectMs = 0.05 + random() * 0.5;
      const handshakeMs = random() < 0.05 ? 200 + random() * 300 : 1 + random() * 2;
      const version = i % 4 === 0 ? 'TLSv1.2' : 'TLSv1.3';
      recorder.recordConnection(connectMs, handshakeMs, 'http/1.1', version);
      reference.connect.recordValue(Math.round(connectMs * 1000));
      reference.handshake.recordValue(Math.round(handshakeMs * 1000));
    }
    // the step parts carry none of it: connections belong to the interval
    const wire = JSON.parse(JSON.stringify(recorder.takeSnapshot(0, 0, 0, 1000)));
    mergeStats(merged, decodeSnapshot(encodeStats(decodeSnapshot(wire))));
  }
  const setup = connectionSetup(merged);
  assert.equal(setup.opened, 600);
  assert.deepEqual(setup.protocols, { 'http/1.1': 600 });
  assert.deepEqual(setup.tlsVersions, { 'TLSv1.2': 150, 'TLSv1.3': 450 });
  assert.deepEqual(setup.connectMs, distribution(reference.connect, 1000));
  assert.deepEqual(setup.tlsHandshakeMs, distribution(reference.handshake, 1000));
  assert.ok(setup.tlsHandshakeMs.p99! >= 200, `the slow handshakes show at p99: ${setup.tlsHandshakeMs.p99}`);
  for (const part of merged.steps) assert.equal(part.histograms.connectUs.totalCount, 0, 'no connection in a step part');
});

test('over plain TCP a connection has a connect time and no handshake; an older agent sends neither', () => {
  const recorder = new IntervalRecorder();
  recorder.recordConnection(0.3, null, 'http/1.1', null);
  const plain = connectionSetup(decodeSnapshot(recorder.takeSnapshot(0, 0, 0, 1000)));
  assert.equal(plain.opened, 1);
  assert.equal(plain.tlsHandshakeMs.p50, null);
  assert.deepEqual([plain.protocols, plain.tlsVersions], [{ 'http/1.1': 1 }, {}]);
  recorder.recordConnection(0.3, 2, 'http/1.1', 'TLSv1.3');
  const wire = recorder.takeSnapshot(1, 0, 1000, 2000) as unknown as Record<string, unknown> & { histograms: Record<string, string> };
  delete wire.histograms.connectUs;
  delete wire.histograms.tlsHandshakeUs;
  delete wire.protocols;
  delete wire.tlsVersions;
  const older = connectionSetup(decodeSnapshot(wire as unknown as Parameters<typeof decodeSnapshot>[0]));
  assert.deepEqual(older, { ...connectionSetup(emptyStats()), opened: 0 });
  assert.equal(older.connectMs.p50, null, 'unknown, not zero');
});

test('a recorder starts empty after a snapshot', () => {
  const recorder = new IntervalRecorder();
  recorder.recordResponse(0, 200, 10, 0, 0, 5);
  recorder.recordConnection(0.2, 1.5, 'http/1.1', 'TLSv1.3');
  recorder.takeSnapshot(0, 0, 0, 1000);
  const next = decodeSnapshot(recorder.takeSnapshot(1, 0, 1000, 2000));
  assert.equal(next.counts.requests, 0);
  assert.equal(next.histograms.latencyUs.totalCount, 0);
  assert.deepEqual(next.statusCodes, {});
  assert.deepEqual(connectionSetup(next), connectionSetup(emptyStats()), 'no connection of the interval before');
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

/**
 * Every histogram of decoded stats as text, its steps' and endpoints' included: equal counts, equal
 * text. An encoding starts where its histogram's counts array does, so each is decoded to its exact
 * range and encoded again first.
 */
function histogramTexts(stats: IntervalStats): string[] {
  const text = (histogram: Histogram): string => decodeHistogram(histogram.encode()).encode();
  return [
    ...HISTOGRAM_NAMES.map((name) => `${name} ${text(stats.histograms[name])}`),
    ...stats.steps.flatMap((part) => histogramTexts(part).map((line) => `step ${part.phase} ${line}`)),
    ...stats.endpoints.map((part) => `endpoint ${part.endpoint} ${text(part.latencyUs)}`),
  ];
}

test("a worker's decoder reuses its histograms and decodes each snapshot as a fresh decode does", () => {
  const random = seededRandom(11);
  const decoder = new SnapshotDecoder();
  let first: IntervalStats | null = null;
  for (let round = 0; round < 60; round++) {
    const recorder = new IntervalRecorder(new StepTimeline([1000, 1000, 1000]), 2);
    // ranges that widen, narrow and empty from one snapshot to the next: µs to seconds, none at all
    const scaleMs = round % 7 === 3 ? 0 : 10 ** (random() * 4 - 1);
    const responses = scaleMs === 0 ? 0 : Math.floor(random() * 400);
    for (let i = 0; i < responses; i++) {
      const step = random() < 0.8 ? 0 : 1 + Math.floor(random() * 2);
      const dueMs = random() * 1000;
      recorder.recordSent(step, random() * scaleMs);
      recorder.recordResponse(step, 200, Math.floor(random() * 5000), dueMs, dueMs + 0.01, dueMs + random() * scaleMs, i % 2);
    }
    if (round % 5 === 1) recorder.recordFailure(0, 'timeout', 0, null, 1);
    const wire = JSON.parse(JSON.stringify(recorder.takeSnapshot(round, 0, round * 1000, round * 1000 + 1000))) as Snapshot;
    const reused = decoder.decode(wire);
    const fresh = decodeSnapshot(wire);
    assert.deepEqual(histogramTexts(reused), histogramTexts(fresh), `round ${round}`);
    assert.deepEqual({ ...reused.counts, steps: reused.steps.length }, { ...fresh.counts, steps: fresh.steps.length }, `round ${round}`);
    first ??= reused;
    assert.equal(reused.histograms.latencyUs, first.histograms.latencyUs, 'the same histogram, decoded into again');
  }
});
