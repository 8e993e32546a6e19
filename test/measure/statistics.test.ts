/**
 * The one-walk read-out of many percentiles must give, for every percentile, exactly what
 * hdr-histogram-js's getValueAtPercentile gives fed the same values: on empty, single-valued, wide
 * and huge histograms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'hdr-histogram-js';
import { Histogram } from '../../engine/measure/histogram.js';
import { distribution, PERCENTILE_TICKS } from '../../engine/measure/statistics.js';
import { seededRandom } from '../helpers/seeded-random.js';

const reference = () => build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });

test('valuesAtPercentiles is hdr-histogram-js getValueAtPercentile at every percentile, in one walk', () => {
  const next = seededRandom(3);
  const cases = [
    { name: 'empty', values: [] as number[] },
    { name: 'one value', values: [1234] },
    { name: 'zeros and a spike', values: [0, 0, 0, 0, 5_000_000] },
    { name: 'wide', values: Array.from({ length: 10_000 }, () => Math.floor(2 ** (next() * 30))) },
    { name: 'many counts', values: Array.from({ length: 100_000 }, () => 500 + Math.floor(next() * 200)) },
  ];
  const percents = [...PERCENTILE_TICKS, 33.3, 66.6, 99.91, 99.99999];
  percents.sort((a, b) => a - b);
  for (const { name, values } of cases) {
    const h = reference();
    const mine = new Histogram();
    for (const value of values) {
      h.recordValue(value);
      mine.recordValue(value);
    }
    const expected = percents.map((percent) => (values.length === 0 ? 0 : h.getValueAtPercentile(percent)));
    assert.deepEqual(mine.valuesAtPercentiles(percents), expected, name);
  }
});

test('distribution reads the same figures as separate calls would', () => {
  const h = reference();
  const mine = new Histogram();
  for (let value = 1; value <= 5000; value++) {
    h.recordValueWithCount(value * 7, value % 5);
    mine.recordValueWithCount(value * 7, value % 5);
  }
  const at = (percent: number) => Math.round((h.getValueAtPercentile(percent) / 1000) * 1000) / 1000;
  assert.deepEqual(distribution(mine, 1000), {
    min: at(0),
    mean: Math.round((h.mean / 1000) * 1000) / 1000,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: at(100),
  });
});
