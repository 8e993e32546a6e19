/**
 * RampRunner's control flow with a recording run in place of workers: what it asks of each run,
 * in what order. The ramp against real servers is in engine-ramp.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RampRunner } from '../../engine/run/ramp-runner.js';
import type { RampPlan } from '../../engine/plan/plan.js';
import type { IntervalListener, Run, RunResult, RunSpec } from '../../engine/run/contract.js';
import { emptyStats, mergeStats, type IntervalStats } from '../../engine/measure/snapshot.js';

const plan: RampPlan = { rates: [100, 200, 300], stepMs: 1000, maxErrorRate: 0.01, sloP99Ms: null, stopOnBreak: true, refine: true };
const base: Omit<RunSpec, 'load'> = {
  target: { url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, bodyBase64: null },
  workers: 1,
  connections: 1,
  timeoutMs: 1000,
  maxInflight: 16,
  intervalMs: 1000,
  warmupMs: 0,
};

/** A run that sends nothing and writes down every call made to it. */
function recordingRuns(calls: string[]) {
  return scriptedRuns(calls, []);
}

test("stopped before it began (Ctrl-C during the set-up): the ramp's run starts stopped, and nothing is judged or refined", async () => {
  const calls: string[] = [];
  const runner = new RampRunner(plan, base, () => undefined, 5, recordingRuns(calls));
  runner.stop(2000);
  const { result, report } = await runner.run();
  assert.deepEqual(calls, ['made 3 segments', 'stop 2000', 'run']);
  assert.equal(result.interrupted, true);
  assert.deepEqual(report.steps, [], 'no step ran, so none is judged');
  assert.deepEqual(report.refineSteps, []);
  assert.equal(report.breakingPoint, null);
});

test('not stopped: one run of every step; steps left unjudged at its end are judged, up to the first that broke', async () => {
  const calls: string[] = [];
  const runner = new RampRunner(plan, base, () => undefined, 5, recordingRuns(calls));
  const { result, report } = await runner.run();
  // nothing was sent, so nothing arrived: the first step achieved 0% of its offer and ends the ramp
  assert.deepEqual(calls, ['made 3 segments', 'run', 'stop 1000 planned']);
  assert.equal(result.interrupted, false, 'a break is the plan, not an interruption');
  assert.deepEqual(
    report.steps.map((step) => `${step.offered}:${step.verdict}`),
    ['100:broke'],
  );
  assert.equal(report.refineSteps.length, 0, 'nothing held, so there is nothing to refine between');
  assert.equal(report.breakingPoint?.rate, null, 'the first step broke: nothing held');
});

/** Counts of one step's part of an interval. */
interface PartCounts {
  scheduled?: number;
  success?: number;
  failure?: number;
}

/** A merged interval as a run hands it on: its step parts, its own counters their sum, and the steps closed. */
function interval(index: number, phase: number, stepsClosed: number, parts: Record<number, PartCounts>): IntervalStats {
  const stats = emptyStats(index, phase, index * 1000, (index + 1) * 1000);
  stats.sources = 1;
  for (const [step, counts] of Object.entries(parts)) {
    const part = emptyStats(index, Number(step), stats.startMs, stats.endMs);
    const { scheduled = 0, success = 0, failure = 0 } = counts;
    Object.assign(part.counts, { scheduled, requests: success + failure, responses: success, success, failure });
    if (failure > 0) part.errors.timeout = failure;
    part.sources = 1;
    mergeStats(stats, part);
    stats.steps.push(part);
  }
  stats.stepsClosed = stepsClosed;
  return stats;
}

/** A run that hands the listener these intervals, in order, writing down each one and each call made to it. */
function scriptedRuns(calls: string[], script: IntervalStats[]) {
  return (spec: RunSpec, onInterval: IntervalListener): Run => {
    let stopped = false;
    calls.push(`made ${spec.load.kind === 'rate' ? spec.load.segments.length : 0} segments`);
    return {
      stop: (drainMs, planned) => {
        stopped = !planned;
        calls.push(`stop ${drainMs}${planned ? ' planned' : ''}`);
      },
      run: async (): Promise<RunResult> => {
        calls.push('run');
        const total = emptyStats();
        for (const stats of script) {
          calls.push(`interval ${stats.interval}`);
          mergeStats(total, stats);
          onInterval(stats);
        }
        return { series: [], total, interrupted: stopped, workerFailures: [], elapsedS: script.length };
      },
    };
  };
}

test('a step is judged once it is closed everywhere, with its late answers; what the stop cut short is counted apart', async () => {
  const calls: string[] = [];
  const script = [
    interval(0, 0, 0, { 0: { scheduled: 100, success: 96 } }),
    // the first interval of step 1 holds answers to step 0, which is not closed yet
    interval(1, 1, 0, { 0: { success: 3 }, 1: { scheduled: 200, success: 100 } }),
    // step 0's last request timed out: both steps close, and step 1 broke on its errors
    interval(2, 2, 2, { 0: { failure: 1 }, 1: { success: 20, failure: 80 }, 2: { scheduled: 150, success: 100 } }),
    // the stop's drain: step 2 was cut short
    interval(3, 2, 2, { 2: { success: 50 } }),
  ];
  const runner = new RampRunner({ ...plan, refine: false }, base, () => undefined, 5, scriptedRuns(calls, script));
  const { result, report } = await runner.run();
  assert.deepEqual(calls, ['made 3 segments', 'run', 'interval 0', 'interval 1', 'interval 2', 'stop 1000 planned', 'interval 3']);
  assert.deepEqual(
    report.steps.map((step) => [step.offered, step.verdict, step.scheduled, step.requests, step.success, step.failure]),
    [
      [100, 'held', 100, 100, 99, 1],
      [200, 'broke', 200, 200, 120, 80],
    ],
  );
  assert.deepEqual(report.steps[0]!.errors, { timeout: 1 }, 'the late timeout counts against step 0, where it was due');
  assert.equal(report.steps[0]!.achieved, 96, 'the pace is by time: answers that arrived during step 0');
  assert.deepEqual(report.cutShort, { scheduled: 150, requests: 150, success: 150, failure: 0, dropped: 0, errors: {} });
  for (const counter of ['scheduled', 'requests', 'success', 'failure', 'dropped'] as const) {
    const judged = report.steps.reduce((sum, step) => sum + step[counter], 0);
    assert.equal(
      judged + report.cutShort![counter],
      result.total.counts[counter],
      `steps and what was cut short add up to the total ${counter}`,
    );
  }
});

test('without a stop, steps whose close no source reported (done before the planned end) are judged at the end', async () => {
  const calls: string[] = [];
  const script = [interval(0, 0, 0, { 0: { scheduled: 100, success: 100 } }), interval(1, 1, 1, { 1: { scheduled: 200, success: 200 } })];
  const runner = new RampRunner({ ...plan, rates: [100, 200], refine: false }, base, () => undefined, 5, scriptedRuns(calls, script));
  const { report } = await runner.run();
  assert.deepEqual(
    report.steps.map((step) => `${step.offered}:${step.verdict}:${step.requests}`),
    ['100:held:100', '200:held:200'],
  );
  assert.equal(report.cutShort!.scheduled, 0, 'every step ran');
});
