/**
 * The run's metrics without a network: synthetic merged intervals into RunMetrics, the exposition
 * text read back. Counters are the sums of the intervals' counts (exactly the JSON totals), the
 * latency histograms hold each HDR count under the first bound at or above its slot's top, and
 * the gauges are the last interval's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, slotOf, topOfSlot } from '../../engine/measure/histogram.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { emptyStats, newHistogram, type IntervalStats } from '../../engine/measure/snapshot.js';
import type { AgentPart } from '../../engine/measure/agent-part.js';
import { latencyBoundsUs } from '../../engine/metrics/latency-bounds.js';
import { RunMetrics } from '../../engine/metrics/run-metrics.js';

/** The exposition text as `name{labels}` -> value. */
async function scrape(metrics: RunMetrics): Promise<Map<string, number>> {
  const { text } = await metrics.exposition();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

function interval(number: number, fill: Partial<IntervalStats['counts']>, latenciesUs: number[] = [], lengthMs = 1000): IntervalStats {
  const stats = emptyStats(number, 0, number * 1000, number * 1000 + lengthMs);
  stats.sources = 1;
  Object.assign(stats.counts, fill);
  for (const value of latenciesUs) {
    stats.histograms.latencyUs.recordValue(value);
    stats.histograms.serviceUs.recordValue(Math.max(1, value >> 1));
  }
  return stats;
}

test('bounds: from 50 µs to the first at or above the timeout, integers at most 5/3 apart', () => {
  const bounds = latencyBoundsUs(10_000);
  assert.deepEqual(bounds.slice(0, 8), [50, 70, 100, 150, 200, 300, 500, 700]);
  assert.equal(bounds.at(-1), 10_000_000, 'the default 10 s timeout is the last bound');
  assert.equal(bounds.length, 33);
  assert.deepEqual(latencyBoundsUs(1), [50, 70, 100, 150, 200, 300, 500, 700, 1000]);
  assert.equal(latencyBoundsUs(2500).at(-1), 3_000_000, 'a timeout between two bounds: the one above it');
  for (const [index, bound] of bounds.entries()) {
    assert.ok(Number.isInteger(bound));
    if (index > 0) assert.ok(bound / bounds[index - 1]! <= 5 / 3 + 1e-9 && bound > bounds[index - 1]!, `${bounds[index - 1]} -> ${bound}`);
  }
});

test('HDR counts into coarser buckets: each slot under the first bound at or above its top', () => {
  const histogram = new Histogram();
  // 3000 lies in the slot 3000..3001 (two values a slot from 2048 up): its top is above the bound 3000
  for (const value of [1, 50, 51, 70, 2047, 3000, 1e9]) histogram.recordValue(value);
  histogram.recordValueWithCount(60, 5);
  const into = [0, 0, 0, 0];
  histogram.addCountsByBound([50, 70, 3000], into);
  assert.deepEqual(into, [2, 7, 1, 2]);
  histogram.addCountsByBound([50, 70, 3000], into);
  assert.deepEqual(into, [4, 14, 2, 4], 'added, not set');
  const nothing = [0, 0];
  new Histogram().addCountsByBound([50], nothing);
  assert.deepEqual(nothing, [0, 0]);
});

test('HDR counts into coarser buckets, against a value-by-value reference: random values over 30 octaves, the sum as the mean counts it', () => {
  const random = seededRandom(16);
  const bounds = latencyBoundsUs(60_000);
  for (let round = 0; round < 20; round++) {
    const values = Array.from({ length: 2000 }, () => Math.floor(2 ** (random() * 30)));
    const histogram = new Histogram();
    for (const value of values) histogram.recordValue(value);
    const into = new Array<number>(bounds.length + 1).fill(0);
    const sum = histogram.addCountsByBound(bounds, into);
    // the reference: each value under the first bound at or above the top of its own slot
    const expected = new Array<number>(bounds.length + 1).fill(0);
    for (const value of values) {
      const top = topOfSlot(slotOf(value));
      const at = bounds.findIndex((bound) => top <= bound);
      expected[at < 0 ? bounds.length : at]!++;
    }
    assert.deepEqual(into, expected, `round ${round}`);
    const reference = histogram.mean * histogram.totalCount;
    assert.ok(Math.abs(sum - reference) <= 1e-9 * reference, `round ${round}: sum ${sum}, mean x count ${reference}`);
  }
});

test('counters are the sums of the intervals; failures by class; every series starts at zero', async () => {
  const metrics = new RunMetrics({ timeoutMs: 1000, intervalMs: 1000, openLoop: true });
  const before = await scrape(metrics);
  assert.equal(before.get('stress_requests_total'), 0);
  assert.equal(before.get('stress_requests_failed_total{class="timeout"}'), 0, 'every class exists before its first failure');
  assert.equal(before.get('stress_latency_seconds_bucket{le="+Inf"}'), 0);

  const first = interval(
    0,
    { scheduled: 12, requests: 9, responses: 8, success: 7, failure: 2, dropped: 1, bodyBytes: 700 },
    [60, 80, 2000, 3000],
  );
  first.errors = { http: 1, timeout: 1 };
  const second = interval(
    1,
    { scheduled: 10, requests: 12, responses: 12, success: 11, failure: 1, dropped: 0, bodyBytes: 1100 },
    [40, 1_500_000],
  );
  second.errors = { reset: 1 };
  metrics.interval(first);
  metrics.interval(second);
  const after = await scrape(metrics);
  assert.equal(after.get('stress_requests_total'), 21);
  assert.equal(after.get('stress_requests_succeeded_total'), 18);
  assert.equal(after.get('stress_requests_failed_total{class="http"}'), 1);
  assert.equal(after.get('stress_requests_failed_total{class="timeout"}'), 1);
  assert.equal(after.get('stress_requests_failed_total{class="reset"}'), 1);
  assert.equal(after.get('stress_requests_failed_total{class="refused"}'), 0);
  assert.equal(after.get('stress_requests_dropped_total'), 1);
  assert.equal(after.get('stress_requests_scheduled_total'), 22);
  assert.equal(after.get('stress_response_body_bytes_total'), 1800);
  assert.equal(after.get('stress_requests_in_flight'), 22 - 1 - 21, 'due, not dropped, not ended: over the run');

  // 40 under 50 µs; 60 and 80 above; 2000 under 2 ms; 3000's slot top above 3 ms; 1.5 s under its bound
  const bucket = (le: string) => after.get(`stress_latency_seconds_bucket{le="${le}"}`);
  assert.equal(bucket('0.00005'), 1);
  assert.equal(bucket('0.00007'), 2);
  assert.equal(bucket('0.0001'), 3);
  assert.equal(bucket('0.002'), 4);
  assert.equal(bucket('0.003'), 4);
  assert.equal(bucket('0.005'), 5);
  assert.equal(bucket('1'), 5, 'the last bound: the 1 s timeout');
  assert.equal(after.has('stress_latency_seconds_bucket{le="1.5"}'), false, 'no bound past the timeout');
  assert.equal(bucket('+Inf'), 6, 'past the timeout but still counted: a latency from due time');
  assert.equal(after.get('stress_latency_seconds_count'), 6);
  const sum = after.get('stress_latency_seconds_sum')!;
  assert.ok(Math.abs(sum - (40 + 60 + 80 + 2000 + 3000 + 1_500_000) / 1e6) < 0.002, `sum ${sum} s within HDR's precision`);
  assert.equal(after.get('stress_service_time_seconds_count'), 6);
});

test("a request mix: the requests' series by endpoint, summing to the run's; drops, due requests and service time the run's", async () => {
  const metrics = new RunMetrics({ timeoutMs: 1000, intervalMs: 1000, openLoop: true, endpoints: ['home', 'checkout'] });
  const before = await scrape(metrics);
  assert.equal(before.get('stress_requests_total{endpoint="checkout"}'), 0, 'each endpoint from the start');
  assert.equal(before.get('stress_requests_failed_total{endpoint="home",class="timeout"}'), 0);
  assert.equal(before.has('stress_requests_total'), false, 'no unlabelled series beside the endpoints: a sum would count twice');
  const stats = interval(
    0,
    { scheduled: 6, requests: 5, responses: 5, success: 4, failure: 1, dropped: 1, bodyBytes: 500 },
    [100, 200, 300, 4000],
  );
  stats.errors = { http: 1 };
  const home = newHistogram();
  home.recordValue(100);
  const checkout = newHistogram();
  for (const value of [200, 300, 4000]) checkout.recordValue(value);
  stats.endpoints = [
    { endpoint: 0, requests: 1, success: 1, failure: 0, bodyBytes: 100, errors: {}, latencyUs: home },
    { endpoint: 1, requests: 4, success: 3, failure: 1, bodyBytes: 400, errors: { http: 1 }, latencyUs: checkout },
  ];
  metrics.interval(stats);
  const after = await scrape(metrics);
  assert.equal(after.get('stress_requests_total{endpoint="home"}'), 1);
  assert.equal(after.get('stress_requests_total{endpoint="checkout"}'), 4);
  assert.equal(after.get('stress_requests_succeeded_total{endpoint="checkout"}'), 3);
  assert.equal(after.get('stress_requests_failed_total{endpoint="checkout",class="http"}'), 1);
  assert.equal(after.get('stress_response_body_bytes_total{endpoint="home"}'), 100);
  assert.equal(after.get('stress_latency_seconds_count{endpoint="home"}'), 1);
  assert.equal(after.get('stress_latency_seconds_count{endpoint="checkout"}'), 3);
  assert.equal(after.get('stress_latency_seconds_bucket{endpoint="checkout",le="0.003"}'), 2, '200 and 300 µs; 4 ms above');
  assert.equal(after.get('stress_requests_dropped_total'), 1);
  assert.equal(after.get('stress_requests_scheduled_total'), 6);
  assert.equal(after.get('stress_service_time_seconds_count'), 4);
});

test('gauges: the last interval; rates skipped for a short drain tail; step from 1; load boxes that reported', async () => {
  const metrics = new RunMetrics({ timeoutMs: 1000, intervalMs: 1000, openLoop: true });
  const full = interval(0, { scheduled: 500, requests: 500, responses: 480, generatorBusyMs: 250, generatorObservedMs: 1000 });
  for (let value = 1; value <= 100; value++) full.histograms.lagUs.recordValue(value * 100);
  const part = (agent: string, lost: boolean): AgentPart => ({ agent, workers: 1, share: 0.5, stats: lost ? null : full, lost });
  metrics.interval(full, [part('a', false), part('b', false)], { step: 2, offeredRate: 500 });
  let seen = await scrape(metrics);
  assert.equal(seen.get('stress_offered_requests_per_second'), 500);
  assert.equal(seen.get('stress_achieved_requests_per_second'), 480);
  assert.equal(seen.get('stress_generator_busy_ratio'), 0.25);
  // p99 of 100 µs .. 10 ms is 9900 µs, read as HDR reads it: the top of its slot (8 values wide there)
  assert.equal(seen.get('stress_scheduler_lag_p99_seconds'), 0.009903);
  assert.equal(seen.get('stress_step'), 3);
  assert.equal(seen.get('stress_step_offered_requests_per_second'), 500);
  assert.equal(seen.get('stress_load_boxes_connected'), 2);

  // 20 ms of drain after the planned end: counted, but its rates would be noise
  const tail = interval(1, { scheduled: 0, requests: 3, responses: 3 }, [], 20);
  metrics.interval(tail, [part('a', false), part('b', true)], { step: 2, offeredRate: 500 });
  seen = await scrape(metrics);
  assert.equal(seen.get('stress_achieved_requests_per_second'), 480, 'kept from the last full interval');
  assert.equal(seen.get('stress_requests_total'), 503);
  assert.equal(seen.get('stress_load_boxes_connected'), 1, 'a lost box is not connected');
});

test('a closed loop has no schedule: no offered rate, lag or step', async () => {
  const metrics = new RunMetrics({ timeoutMs: 1000, intervalMs: 1000, openLoop: false });
  metrics.interval(interval(0, { scheduled: 5, requests: 5, responses: 5, success: 5 }, [100]));
  const seen = await scrape(metrics);
  assert.equal(seen.get('stress_requests_total'), 5);
  for (const name of ['stress_offered_requests_per_second', 'stress_scheduler_lag_p99_seconds', 'stress_step'])
    assert.equal(seen.has(name), false, name);
  assert.equal(seen.get('stress_load_boxes_connected'), 0, 'a local run');
});
