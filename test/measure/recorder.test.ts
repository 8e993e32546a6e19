/**
 * The recorder's two views of the same outcomes: intervals by completion time, step parts by the
 * step each request was due in, and the steps a worker has closed. Then the merge across workers:
 * steps closed only as far as every source closed them, and the steps adding up to the totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalMerger } from '../../engine/measure/interval-merger.js';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import { decodeSnapshot, emptyStats, mergeStats, type IntervalStats } from '../../engine/measure/snapshot.js';
import { StepTimeline } from '../../engine/measure/step-timeline.js';
import { seededRandom } from '../helpers/seeded-random.js';

const COUNTERS = ['scheduled', 'requests', 'responses', 'success', 'failure', 'dropped', 'bodyBytes'] as const;

/** An interval's step parts added up, counter by counter. */
function partsSum(stats: IntervalStats): Record<(typeof COUNTERS)[number], number> {
  const sum = emptyStats();
  for (const part of stats.steps) mergeStats(sum, part);
  return Object.fromEntries(COUNTERS.map((name) => [name, sum.counts[name]])) as Record<(typeof COUNTERS)[number], number>;
}

const countersOf = (stats: IntervalStats) => Object.fromEntries(COUNTERS.map((name) => [name, stats.counts[name]]));

test('an answer counts in the interval it arrived in, and in the step it was due in', () => {
  const recorder = new IntervalRecorder(new StepTimeline([1000, 1000]));
  // interval 0 (step 0): 5 sent, 2 dropped, 3 answered; 2 still in flight at its end
  for (let i = 0; i < 5; i++) recorder.recordSent(0, 0.1);
  recorder.recordDropped(0);
  recorder.recordDropped(0);
  for (let i = 0; i < 3; i++) recorder.recordResponse(0, 200, 10, 900, 900, 905);
  recorder.stepsIssued(1);
  const first = decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(0, 0, 0, 1000))));
  assert.deepEqual(
    first.steps.map((part) => [part.phase, part.counts.scheduled, part.counts.requests, part.counts.dropped]),
    [[0, 7, 3, 2]],
  );
  assert.equal(first.stepsClosed, 0, 'two of its requests are still in flight');
  // interval 1 (step 1): step 0's last two end, one slow answer and one timeout; step 1 sends 4, all answered
  recorder.recordResponse(0, 200, 10, 990, 990, 1400);
  recorder.recordFailure(0, 'timeout', 0, 'STRESS_ERR_DEADLINE');
  for (let i = 0; i < 4; i++) {
    recorder.recordSent(1, 0.1);
    recorder.recordResponse(1, 503, 5, 1100, 1100, 1102);
  }
  const second = decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(1, 1, 1000, 2000))));
  assert.deepEqual(countersOf(second), { scheduled: 4, requests: 6, responses: 5, success: 1, failure: 5, dropped: 0, bodyBytes: 30 });
  const [late, own] = [second.steps.find((part) => part.phase === 0)!, second.steps.find((part) => part.phase === 1)!];
  assert.deepEqual(countersOf(late), { scheduled: 0, requests: 2, responses: 1, success: 1, failure: 1, dropped: 0, bodyBytes: 10 });
  assert.deepEqual(late.errors, { timeout: 1 });
  assert.deepEqual(late.errorCodes, { STRESS_ERR_DEADLINE: 1 });
  assert.ok(late.histograms.latencyUs.maxValue >= 410_000, "the slow answer is in its own step's latency");
  assert.deepEqual(own.statusCodes, { 503: 4 });
  assert.deepEqual(own.errors, { http: 4 });
  assert.deepEqual(partsSum(second), countersOf(second), "the parts add up to the interval's counters");
  assert.deepEqual(second.statusCodes, { 200: 1, 503: 4 });
  assert.deepEqual(second.errors, { timeout: 1, http: 4 });
  assert.equal(second.histograms.latencyUs.totalCount, 1, 'histograms of the interval are the sum of its parts');
  assert.equal(second.histograms.lagUs.totalCount, 4);
  assert.equal(second.stepsClosed, 1, 'step 0 is over: planned end passed, all issued, nothing in flight');
});

test('a step closes only after its planned end, once all its requests are issued and none is in flight', () => {
  const recorder = new IntervalRecorder(new StepTimeline([1000, 1000, 1000]));
  const closedAt = (interval: number, endMs: number) => decodeSnapshot(recorder.takeSnapshot(interval, 0, endMs - 500, endMs)).stepsClosed;
  recorder.recordSent(0, 0);
  recorder.recordResponse(0, 200, 0, 0, 0, 1);
  assert.equal(closedAt(0, 500), 0, 'before its planned end, more may still be due');
  assert.equal(closedAt(1, 1000), 0, 'its end has come, but the scheduler has not issued all that was due before it');
  recorder.stepsIssued(1);
  assert.equal(closedAt(2, 1500), 1, 'issued, ended, nothing in flight');
  recorder.recordSent(1, 0);
  recorder.stepsIssued(3);
  assert.equal(closedAt(3, 2500), 1, 'step 1 has not reached its planned end');
  assert.equal(closedAt(4, 3000), 1, 'step 1 has a request in flight, and holds step 2 back');
  recorder.recordFailure(1, 'interrupted');
  assert.equal(closedAt(5, 3000), 3, 'its last request ended: both close');
  assert.equal(closedAt(6, 9000), 3, 'never more than the run has');
});

test('a stopped worker leaves the step it was in open: cut short, not closed', () => {
  const recorder = new IntervalRecorder(new StepTimeline([1000, 1000]));
  recorder.stepsIssued(1);
  recorder.recordSent(1, 0);
  recorder.recordFailure(1, 'interrupted');
  recorder.allStepsIssued();
  assert.equal(decodeSnapshot(recorder.takeSnapshot(1, 1, 1000, 1400)).stepsClosed, 1, 'stopped at 1.4 s: step 1 had not ended');
});

test('merged across workers, a step is closed only once every source has closed it, and the steps add up to the totals', () => {
  const random = seededRandom(5);
  const timeline = [1000, 1000, 1000];
  const emitted: IntervalStats[] = [];
  const merger = new IntervalMerger(2, (interval) => emitted.push(interval));
  const recorders = [new IntervalRecorder(new StepTimeline(timeline)), new IntervalRecorder(new StepTimeline(timeline))];
  const inflight = [[] as number[], [] as number[]];
  const total = emptyStats();
  // four intervals of 1 s: the last is the drain; worker 1's answers are slow, so its steps close later
  for (let interval = 0; interval < 4; interval++) {
    for (const [worker, recorder] of recorders.entries()) {
      const pending = inflight[worker]!;
      for (let i = 0; i < (interval < 3 ? 50 : 0); i++) {
        if (random() < 0.1) recorder.recordDropped(interval);
        else {
          recorder.recordSent(interval, random());
          pending.push(interval);
        }
      }
      // worker 0 answers everything within its interval; worker 1 keeps a third for the next
      const answered = worker === 0 || interval === 3 ? pending.length : Math.floor((2 * pending.length) / 3);
      for (const step of pending.splice(0, answered)) {
        if (random() < 0.05) recorder.recordFailure(step, 'reset');
        else recorder.recordResponse(step, 200, 100, 0, 0, 1 + random() * 10);
      }
      recorder.stepsIssued(interval + 1);
      const stats = decodeSnapshot(
        JSON.parse(JSON.stringify(recorder.takeSnapshot(interval, Math.min(interval, 2), interval * 1000, (interval + 1) * 1000))),
      );
      mergeStats(total, stats);
      merger.add(worker, stats);
    }
  }
  merger.finish(0);
  merger.finish(1);
  assert.deepEqual(
    emitted.map((interval) => interval.stepsClosed),
    [0, 1, 2, 3],
    'worker 0 closes each step at its end, worker 1 only in the next interval: the merge waits for it',
  );
  const steps = new Map<number, IntervalStats>();
  for (const interval of emitted) {
    for (const part of interval.steps) {
      if (!steps.has(part.phase)) steps.set(part.phase, emptyStats());
      mergeStats(steps.get(part.phase)!, part);
    }
  }
  const stepsTotal = emptyStats();
  for (const step of steps.values()) {
    assert.equal(
      step.counts.scheduled,
      step.counts.requests + step.counts.dropped,
      `step ${step.phase}: every request due in it ended in it`,
    );
    mergeStats(stepsTotal, step);
  }
  assert.deepEqual(countersOf(stepsTotal), countersOf(total), 'every request in exactly one step');
  assert.equal(stepsTotal.histograms.latencyUs.totalCount, total.histograms.latencyUs.totalCount);
  assert.deepEqual(
    total.steps.map((part) => part.counts.scheduled),
    [...steps.values()].map((step) => step.counts.scheduled),
    "merging everything also gives each step's figures",
  );
});

test('a source that ended does not hold the closing back; a later interval of the others decides', () => {
  const emitted: number[] = [];
  const merger = new IntervalMerger(2, (interval) => emitted.push(interval.stepsClosed));
  const at = (interval: number, stepsClosed: number) => Object.assign(emptyStats(interval, 0), { sources: 1, stepsClosed });
  merger.add(0, at(0, 0));
  merger.add(1, at(0, 1));
  merger.add(0, at(1, 1));
  merger.finish(0);
  merger.add(1, at(1, 2));
  merger.add(1, at(2, 3));
  merger.finish(1);
  assert.deepEqual(emitted, [0, 1, 3]);
});

test('status codes are counted exactly through runs and changes, the first ones seen keeping their slots, each interval afresh', () => {
  const recorder = new IntervalRecorder(new StepTimeline([10_000]));
  const answer = (status: number) => {
    recorder.recordSent(0, 0);
    recorder.recordResponse(0, status, 1, 0, 0, 1);
  };
  // runs, a change back and forth, then more distinct statuses than a tally keeps (32)
  const sequence = [200, 200, 200, 503, 200, 200, 404, 404, 503];
  for (let extra = 0; extra < 40; extra++) sequence.push(520 + extra, 520 + extra);
  for (const status of sequence) answer(status);
  const first = decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(0, 0, 0, 1000))));
  const expected: Record<string, number> = { 200: 5, 503: 2, 404: 2 };
  // 3 statuses first, so 29 of the 40 extra ones keep a slot, in the order they came; the other 11 count as `other`
  for (let extra = 0; extra < 29; extra++) expected[520 + extra] = 2;
  expected.other = 22;
  assert.deepEqual(first.statusCodes, expected);
  assert.equal(
    Object.values(first.statusCodes).reduce((sum, n) => sum + n, 0),
    sequence.length,
    'every answer counted once',
  );
  // the next interval starts empty, even with the same status as the last one of the previous interval
  answer(548);
  answer(200);
  const second = decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(1, 0, 1000, 2000))));
  assert.deepEqual(second.statusCodes, { 548: 1, 200: 1 });
});
