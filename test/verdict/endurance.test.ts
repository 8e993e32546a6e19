/**
 * Drift and outage detection on synthetic interval series: steady, slow leak, one outage,
 * flapping, a closed loop whose clients hang, a run that never worked. No network.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyseDrift, analyseEndurance, findOutages, slope, type EnduranceInterval } from '../../engine/verdict/endurance.js';

const RATE = 1000;

/** An open-loop series of 250 ms intervals; `shape(i)` gives each interval's success share and latencies. */
function series(
  count: number,
  shape: (index: number) => { share?: number; p50?: number; p99?: number; dropped?: number },
  lengthS = 0.25,
): EnduranceInterval[] {
  return Array.from({ length: count }, (_, index) => {
    const { share = 1, p50 = 2, p99 = 8, dropped = 0 } = shape(index);
    const scheduled = RATE * lengthS;
    const success = Math.round((scheduled - dropped) * share);
    return {
      startS: index * lengthS,
      t: (index + 1) * lengthS,
      scheduled,
      success,
      failure: scheduled - dropped - success,
      dropped,
      achieved: (scheduled - dropped) / lengthS,
      p50: success > 0 ? p50 : null,
      p99: success > 0 ? p99 : null,
    };
  });
}

/** Small deterministic jitter, so "steady" is not suspiciously flat. */
const jitter = (index: number, amplitude: number) => amplitude * Math.sin(index * 12.9898);

test('steady: no outage, stable', () => {
  const { outages, drift } = analyseEndurance(series(240, (i) => ({ p50: 2 + jitter(i, 0.2), p99: 8 + jitter(i, 1.5) })));
  assert.deepEqual(outages, []);
  assert.equal(drift?.verdict, 'stable');
  assert.deepEqual(drift?.reasons, []);
  assert.ok(Math.abs(drift!.p99Ratio! - 1) < 0.25, `p99 ratio ${drift!.p99Ratio}`);
  assert.equal(drift?.throughputRatio, 1);
  assert.equal(drift?.errorRateDelta, 0);
});

test('slow leak: p99 climbing over the run is degrading, named with its figures and its trend', () => {
  // 60 s: p99 from 8 ms to 40 ms, p50 from 2 to 3 ms
  const intervals = series(240, (i) => ({ p50: 2 + i / 240, p99: 8 + (32 * i) / 240 }));
  const drift = analyseDrift(intervals, []);
  assert.equal(drift?.verdict, 'degrading');
  assert.ok(drift!.p99Ratio! > 3, `p99 ratio ${drift!.p99Ratio}`);
  assert.ok(
    drift!.reasons.some((reason) => reason.startsWith('p99 latency')),
    drift!.reasons.join('; '),
  );
  // 32 ms over one minute
  assert.ok(Math.abs(drift!.p99TrendMsPerMin! - 32) < 1, `trend ${drift!.p99TrendMsPerMin}`);
});

test('rising errors and falling throughput are degrading too', () => {
  const intervals = series(100, (i) => ({ share: i < 50 ? 1 : 0.95, dropped: i < 50 ? 0 : 50 }));
  const drift = analyseDrift(intervals, []);
  assert.equal(drift?.verdict, 'degrading');
  const reasons = drift!.reasons.join('; ');
  assert.match(reasons, /error rate \+/);
  assert.match(reasons, /throughput 0\.8x/);
});

test('a server that gets faster is improving', () => {
  const drift = analyseDrift(
    series(100, (i) => ({ p50: i < 30 ? 10 : 3, p99: i < 30 ? 40 : 9 })),
    [],
  );
  assert.equal(drift?.verdict, 'improving');
});

test('too few intervals: no drift verdict', () => {
  assert.equal(
    analyseDrift(
      series(9, () => ({})),
      [],
    ),
    null,
  );
});

test('one outage: one stretch, timed inside the boundary intervals, with its losses and recovery', () => {
  // down from 10.1 s to 12.2 s: interval 40 (10.0-10.25) is 40% up, interval 48 (12.0-12.25) is 20% down
  const intervals = series(120, (i) => {
    if (i === 40) return { share: 0.4 };
    if (i > 40 && i < 48) return { share: 0 };
    if (i === 48) return { share: 0.8, p99: 300 };
    if (i === 49) return { p99: 60 };
    return {};
  });
  const outages = findOutages(intervals);
  assert.equal(outages.length, 1);
  const [outage] = outages;
  assert.ok(Math.abs(outage!.startS - 10.1) < 0.01, `start ${outage!.startS}`);
  assert.ok(Math.abs(outage!.endS - 12.05) < 0.01, `end ${outage!.endS}`);
  assert.ok(Math.abs(outage!.durationS - 1.95) < 0.02, `duration ${outage!.durationS}`);
  assert.equal(outage!.failed, 7 * 250);
  // p99 is back under twice its 8 ms baseline at interval 50, which starts at 12.5 s
  assert.equal(outage!.recoveryS, 0.45);
  // the outage does not count as drift
  assert.equal(analyseDrift(intervals, outages)?.verdict, 'stable');
});

test('flapping: every down stretch is its own outage', () => {
  // 2 intervals down, 6 up, five times over
  const intervals = series(40, (i) => ({ share: i % 8 < 2 ? 0 : 1 }));
  const outages = findOutages(intervals);
  assert.equal(outages.length, 5);
  for (const outage of outages) assert.equal(outage.durationS, 0.5);
  assert.deepEqual(
    outages.map((outage) => outage.startS),
    [0, 2, 4, 6, 8],
  );
});

test('a closed loop whose clients all hang offers nothing, and is still down', () => {
  const intervals = series(20, () => ({}));
  for (const index of [8, 9, 10])
    Object.assign(intervals[index]!, { scheduled: 0, success: 0, failure: 0, achieved: 0, p50: null, p99: null });
  const outages = findOutages(intervals);
  assert.equal(outages.length, 1);
  assert.equal(outages[0]!.startS, 2);
  assert.equal(outages[0]!.endS, 2.75);
});

test('a run that never succeeded is one outage over all of it; an idle run is none', () => {
  const never = findOutages(series(10, () => ({ share: 0 })));
  assert.equal(never.length, 1);
  assert.equal(never[0]!.durationS, 2.5);
  assert.equal(never[0]!.recoveryS, null);
  const idle = series(10, () => ({})).map((interval) => ({ ...interval, scheduled: 0, success: 0, failure: 0, achieved: 0 }));
  assert.deepEqual(findOutages(idle), []);
});

test('slope: exact on a line, null without spread', () => {
  assert.equal(
    slope([
      [0, 1],
      [1, 3],
      [2, 5],
    ]),
    2,
  );
  assert.equal(
    slope([
      [1, 1],
      [1, 2],
    ]),
    null,
  );
  assert.equal(slope([[1, 1]]), null);
});
