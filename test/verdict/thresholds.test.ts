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
  assert.deepEqual(parseThreshold('p99<50ms'), { expression: 'p99<50ms', endpoint: null, metric: 'p99', operator: '<', bound: 50 });
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

/**
 * Every figure a threshold may read has a value of its own, and no field it must not read shares
 * it, so a metric that read the wrong field would judge the wrong number.
 */
const DISTINCT = {
  latencyMs: { min: 1, mean: 17, p50: 11, p90: 22, p99: 33, p999: 44, max: 55 },
  schedulerLagMs: { p50: 5, p99: 6, max: 9 },
  totals: {
    scheduled: 1250,
    requests: 1200,
    success: 1176,
    failure: 24,
    dropped: 50,
    errors: {},
    errorCodes: {},
    statusCodes: {},
  },
  throughput: { offered: 1250, achieved: 900 },
} as unknown as Summary;

/** Each metric of the README's list, its own figure in DISTINCT, and that figure written as a bound. */
const OWN_FIGURES: readonly [metric: string, actual: number, bound: string][] = [
  ['p50', 11, '11ms'],
  ['p90', 22, '22ms'],
  ['p99', 33, '33ms'],
  ['p99.9', 44, '44ms'],
  ['max', 55, '55ms'],
  ['mean', 17, '17ms'],
  ['lag-p99', 6, '6ms'],
  ['errors', 0.02, '2%'],
  ['dropped', 0.04, '4%'],
  ['achieved', 900, '900'],
];

test('every metric reads its own figure, and every operator judges it as written', () => {
  // the README's list, in full: a metric added or removed without this table failing is a gap
  assert.deepEqual(OWN_FIGURES.map(([metric]) => metric).sort(), [
    'achieved',
    'dropped',
    'errors',
    'lag-p99',
    'max',
    'mean',
    'p50',
    'p90',
    'p99',
    'p99.9',
  ]);
  for (const [metric, actual, bound] of OWN_FIGURES) {
    const judged = (operator: string): { actual: number | null; passed: boolean } =>
      judgeThresholds([parseThreshold(`${metric}${operator}${bound}`)], DISTINCT)[0]!;
    assert.equal(judged('<').actual, actual, `${metric} reads its own figure`);
    // at the bound itself: only the non-strict operators hold, so the figure is exactly the bound
    assert.deepEqual(
      ['<', '<=', '>', '>='].map((operator) => judged(operator).passed),
      [false, true, false, true],
      `${metric} judged at its own figure ${actual}`,
    );
  }
  // and on either side of it, '>' and '<' each hold where they should
  assert.equal(judgeThresholds([parseThreshold('p90>21ms')], DISTINCT)[0]!.passed, true);
  assert.equal(judgeThresholds([parseThreshold('p90>23ms')], DISTINCT)[0]!.passed, false);
  assert.equal(judgeThresholds([parseThreshold('lag-p99<7ms')], DISTINCT)[0]!.passed, true);
  assert.equal(judgeThresholds([parseThreshold('dropped>3%')], DISTINCT)[0]!.passed, true);
  assert.equal(judgeThresholds([parseThreshold('dropped>5%')], DISTINCT)[0]!.passed, false);
});

test('a figure that does not exist fails a latency bound and passes an error bound', () => {
  const [latency, errors] = judgeThresholds(['p99<50ms', 'errors<1%'].map(parseThreshold), summary(null, 0, 0, 0));
  assert.deepEqual(latency, { expression: 'p99<50ms', actual: null, passed: false });
  assert.deepEqual(errors, { expression: 'errors<1%', actual: null, passed: true });
});

test('a threshold may name an endpoint of a mix: NAME:metric, for its latency percentiles and errors', () => {
  const table: Array<{ text: string; endpoint: string | null; metric: string; bound: number }> = [
    { text: 'checkout:p99<200ms', endpoint: 'checkout', metric: 'p99', bound: 200 },
    { text: 'api.v2-list_all:errors<1%', endpoint: 'api.v2-list_all', metric: 'errors', bound: 0.01 },
    { text: ' home:max <= 1s ', endpoint: 'home', metric: 'max', bound: 1000 },
    // an endpoint may be named like a metric: the colon says which is which
    { text: 'p99:p50<5', endpoint: 'p99', metric: 'p50', bound: 5 },
  ];
  for (const row of table) {
    const threshold = parseThreshold(row.text);
    assert.deepEqual([threshold.endpoint, threshold.metric, threshold.bound], [row.endpoint, row.metric, row.bound], row.text);
  }
  // the run's figures that an endpoint has not
  for (const text of ['checkout:achieved>=10', 'checkout:lag-p99<5ms', 'checkout:dropped<1%'])
    assert.throws(() => parseThreshold(text), /an endpoint has no/, text);
  assert.throws(() => parseThreshold('a b:p99<5'), /not a threshold/);
});

test('an endpoint threshold judges that endpoint only', () => {
  const figures = {
    ...summary(10, 0, 100, 100),
    endpoints: [
      { name: 'fast', requests: 50, failure: 0, latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 } },
      { name: 'slow', requests: 50, failure: 5, latencyMs: { p50: 100, p90: 200, p99: 300, max: 400 } },
    ],
  };
  const results = judgeThresholds(
    ['fast:p99<50ms', 'slow:p99<50ms', 'slow:errors<5%', 'fast:errors<1%', 'p99<50'].map(parseThreshold),
    figures,
  );
  assert.deepEqual(
    results.map((result) => [result.expression, result.actual, result.passed]),
    [
      ['fast:p99<50ms', 3, true],
      ['slow:p99<50ms', 300, false],
      ['slow:errors<5%', 0.1, false],
      ['fast:errors<1%', 0, true],
      ['p99<50', 10, true],
    ],
  );
});
