import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram } from '../../engine/measure/hdr-decoding.js';
import { IntervalMerger } from '../../engine/measure/interval-merger.js';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import { decodeSnapshot, HISTOGRAM_NAMES, type IntervalStats } from '../../engine/measure/snapshot.js';
import { StepTimeline } from '../../engine/measure/step-timeline.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** What a listener copies out of a merged interval: its figures, each histogram as the text of its counts. */
function copyOf(stats: IntervalStats): unknown {
  return {
    interval: stats.interval,
    phase: stats.phase,
    startMs: stats.startMs,
    endMs: stats.endMs,
    sources: stats.sources,
    stepsClosed: stats.stepsClosed,
    counts: { ...stats.counts },
    statusCodes: { ...stats.statusCodes },
    errors: { ...stats.errors },
    // an encoding starts where the counts array does: decoded to its exact range first
    histograms: HISTOGRAM_NAMES.map((name) => decodeHistogram(stats.histograms[name].encode()).encode()),
    steps: stats.steps.map(copyOf),
  };
}

test('a merger that reuses what it handed on hands on the same figures as one that makes each interval anew', () => {
  const random = seededRandom(23);
  const sources = 3;
  const timeline = [2000, 2000, 2000];
  const copies: { reused: unknown[]; anew: unknown[] } = { reused: [], anew: [] };
  const handedOn = new Set<IntervalStats>();
  const partsHandedOn = new Set<IntervalStats>();
  let parts = 0;
  const reusing = new IntervalMerger(
    sources,
    (stats) => {
      handedOn.add(stats);
      for (const part of stats.steps) partsHandedOn.add(part);
      parts += stats.steps.length;
      copies.reused.push(copyOf(stats));
    },
    true,
  );
  const anew = new IntervalMerger(sources, (stats) => copies.anew.push(copyOf(stats)));
  const recorders = Array.from({ length: sources }, () => new IntervalRecorder(new StepTimeline(timeline)));
  // each source reports 12 intervals of 500 ms, the sources taking turns at random, so some
  // intervals wait in the merger while others are handed on
  const next = new Array<number>(sources).fill(0);
  while (next.some((interval) => interval < 12)) {
    const source = Math.floor(random() * sources);
    const interval = next[source]!;
    if (interval >= 12) continue;
    next[source]++;
    const recorder = recorders[source]!;
    // from none to hundreds of values, over ranges of µs to seconds
    const scaleMs = interval % 5 === 2 ? 0 : 10 ** (random() * 4 - 1);
    for (let i = 0; i < (scaleMs === 0 ? 0 : Math.floor(random() * 300)); i++) {
      const step = Math.min(2, Math.floor(interval / 4) + (random() < 0.2 ? -1 : 0));
      recorder.recordSent(Math.max(0, step), random() * scaleMs);
      if (random() < 0.05) recorder.recordFailure(Math.max(0, step), 'timeout');
      else recorder.recordResponse(Math.max(0, step), random() < 0.1 ? 503 : 200, Math.floor(random() * 1000), 0, 0.01, random() * scaleMs);
    }
    recorder.stepsIssued(Math.floor(interval / 4) + 1);
    const snapshot = JSON.parse(
      JSON.stringify(recorder.takeSnapshot(interval, Math.floor(interval / 4), interval * 500, interval * 500 + 500)),
    );
    reusing.add(source, decodeSnapshot(snapshot));
    anew.add(source, decodeSnapshot(snapshot));
  }
  for (let source = 0; source < sources; source++) {
    reusing.finish(source);
    anew.finish(source);
  }
  assert.equal(copies.anew.length, 12);
  assert.deepEqual(copies.reused, copies.anew);
  assert.ok(handedOn.size < 12, `the merger filled an interval it had handed on again (${handedOn.size} objects for 12 intervals)`);
  assert.ok(partsHandedOn.size < parts, `and its step parts (${partsHandedOn.size} objects for ${parts} parts)`);
});
