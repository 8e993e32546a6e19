import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeThresholds, parseThreshold } from '../../engine/verdict/thresholds.js';
import { UnitError } from '../../common/units.js';
import type { Summary } from '../../engine/summary/summary.js';

/** Only the figures thresholds read. */
function summary(p99: number | null, failure: number, requests: number, achieved: number): Summary {
  return {
    latencyMs: { min: null, mean: p99, p50: p99, p90: p99, p99, p999: p99, max: p99 },
    schedulerLagMs: { p50: 1, p99: 2, max: 3 },
    totals: {
      scheduled: requests,
      requests,
      success: requests - failure,
      failure,
      dropped: 0,
      errors: {},
      errorCodes: {},
      statusCodes: {},
    },
    throughput: { offered: achieved, achieved },
  } as unknown as Summary;
}

test('thresholds parse with their units: ms for latency (bare numbers too), shares, rates', () => {
  assert.deepEqual(parseThreshold('p99<50ms'), { expression: 'p99<50ms', metric: 'p99', operator: '<', bound: 50 });
  assert.equal(parseThreshold('p99 <= 2s').bound, 2000);
  assert.equal(parseThreshold('p99.9<120').bound, 120);
  assert.equal(parseThreshold('errors<1%').bound, 0.01);
  assert.equal(parseThreshold('achieved>=9k').bound, 9000);
  assert.equal(parseThreshold('achieved>=9k').operator, '>=');
});

test('bad thresholds are refused naming what is wrong', () => {
  assert.throws(
    () => parseThreshold('p99'),
    (error: unknown) => error instanceof UnitError && /not a threshold/.test(error.message),
  );
  assert.throws(() => parseThreshold('p42<5ms'), /unknown metric "p42"/);
  assert.throws(() => parseThreshold('errors<lots'), UnitError);
  assert.throws(() => parseThreshold('p99<fast'), UnitError);
});

test("judging: each threshold passes or fails on the run's figure", () => {
  const thresholds = ['p99<50ms', 'errors<1%', 'achieved>=900'].map(parseThreshold);
  assert.deepEqual(
    judgeThresholds(thresholds, summary(20, 5, 1000, 1000)).map((r) => r.passed),
    [true, true, true],
  );
  const crossed = judgeThresholds(thresholds, summary(80, 50, 1000, 800));
  assert.deepEqual(
    crossed.map((r) => r.passed),
    [false, false, false],
  );
  assert.deepEqual(
    crossed.map((r) => r.actual),
    [80, 0.05, 800],
  );
  // bounds are strict or not as written
  assert.equal(judgeThresholds([parseThreshold('p99<20ms')], summary(20, 0, 10, 10))[0]!.passed, false);
  assert.equal(judgeThresholds([parseThreshold('p99<=20ms')], summary(20, 0, 10, 10))[0]!.passed, true);
});

test('a figure that does not exist fails a latency bound and passes an error bound', () => {
  const [latency, errors] = judgeThresholds(['p99<50ms', 'errors<1%'].map(parseThreshold), summary(null, 0, 0, 0));
  assert.deepEqual(latency, { expression: 'p99<50ms', actual: null, passed: false });
  assert.deepEqual(errors, { expression: 'errors<1%', actual: null, passed: true });
});
