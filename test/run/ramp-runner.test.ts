/**
 * RampRunner's control flow with a recording run in place of workers: what it asks of each run,
 * in what order. The ramp against real servers is in engine-ramp.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RampRunner } from '../../engine/run/ramp-runner.js';
import type { RampPlan } from '../../engine/plan/plan.js';
import type { Run, RunResult, RunSpec } from '../../engine/run/contract.js';
import { emptyStats } from '../../engine/measure/snapshot.js';

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
  return (spec: RunSpec): Run => {
    let stopped = false;
    calls.push(`made ${spec.load.kind === 'rate' ? spec.load.segments.length : 0} segments`);
    return {
      stop: (drainMs, planned) => {
        stopped = !planned;
        calls.push(`stop ${drainMs}${planned ? ' planned' : ''}`);
      },
      run: async (): Promise<RunResult> => {
        calls.push('run');
        return { series: [], total: emptyStats(), interrupted: stopped, workerFailures: [], elapsedS: 0 };
      },
    };
  };
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
