/** The live page's figures, from merged intervals and judged steps: tables, no server, no browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LivePoints, livePoint, mergeLivePoints } from '../../engine/dashboard/live-points.js';
import { LiveView, stepLine } from '../../engine/dashboard/live-view.js';
import { eventText } from '../../engine/dashboard/event-stream.js';
import { pointOf } from '../../engine/measure/interval-series.js';
import { emptyStats, type IntervalStats } from '../../engine/measure/snapshot.js';
import { intervalSummary } from '../../engine/summary/summary.js';
import type { StepReport } from '../../engine/verdict/step-report.js';

/** A merged interval of `ok` successes at `latencyUs` and `failed` refusals, over [startMs, endMs). */
function interval(index: number, startMs: number, endMs: number, ok: number, failed: number, latencyUs = 1500): IntervalStats {
  const stats = emptyStats(index, 0, startMs, endMs);
  stats.sources = 1;
  stats.counts.scheduled = stats.counts.requests = ok + failed;
  stats.counts.success = stats.counts.responses = ok;
  stats.counts.failure = failed;
  if (failed > 0) stats.errors.refused = failed;
  stats.histograms.latencyUs.recordValueWithCount(latencyUs, ok);
  return stats;
}

test("a live point is the summary's interval, computed without encoding the histogram", () => {
  const table: Array<[string, IntervalStats]> = [
    ['all good', interval(0, 0, 1000, 200, 0)],
    ['some refused', interval(1, 1000, 2000, 150, 50, 8000)],
    ['nothing succeeded: null percentiles', interval(2, 2000, 2500, 0, 30)],
    ['a short drain tail', interval(3, 2500, 2510, 3, 0, 250_000)],
  ];
  for (const [name, stats] of table) assert.deepEqual(livePoint(stats), intervalSummary(pointOf(stats)), name);
});

test('merged live points: counts summed, rates over the time, percentiles the worse half', () => {
  const a = livePoint(interval(0, 0, 1000, 100, 0, 1000));
  const b = livePoint(interval(1, 1000, 3000, 300, 100, 9000));
  const merged = mergeLivePoints(a, b);
  assert.deepEqual(
    { t: merged.t, startS: merged.startS, requests: merged.requests, success: merged.success, failure: merged.failure },
    { t: 3, startS: 0, requests: 500, success: 400, failure: 100 },
  );
  assert.equal(merged.achieved, 133.3);
  assert.equal(merged.offered, 166.7);
  assert.deepEqual(merged.errors, { refused: 100 });
  assert.equal(merged.p99, b.p99);
  assert.equal(mergeLivePoints(livePoint(interval(0, 0, 1000, 0, 5)), a).p50, a.p50, 'a null half takes the other');
});

test('live points stay bounded, and keep every request', () => {
  const points = new LivePoints(8);
  for (let i = 0; i < 100; i++) {
    points.add(livePoint(interval(i, i * 1000, (i + 1) * 1000, 10, 1)));
    assert.ok(points.list().length <= 8, `after ${i + 1}`);
  }
  const list = points.list();
  assert.equal(
    list.reduce((sum, point) => sum + point.requests, 0),
    1100,
  );
  assert.equal(list[0]!.startS, 0);
  assert.equal(list.at(-1)!.t, 100);
});

function step(offered: number, verdict: StepReport['verdict'], reason: string | null): StepReport {
  return {
    offered,
    achieved: verdict === 'held' ? offered : offered / 2,
    scheduled: offered,
    requests: offered,
    success: offered,
    failure: 0,
    dropped: 0,
    durationS: 1,
    errorRate: verdict === 'held' ? 0 : 0.2,
    errors: {},
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    serviceTimeMs: { p99: 3 },
    schedulerLagMs: { p99: 0.1 },
    generatorBusy: 0.1,
    refine: false,
    verdict,
    reason,
  } as StepReport;
}

test('the update of a load run: totals, the latest interval, the three charts over time, no verdict yet', () => {
  const view = new LiveView({ mode: 'rate', lastOffered: null, plannedS: 10, endurance: false });
  assert.equal(view.update(), null, 'nothing to show before the first interval');
  view.addInterval(interval(0, 0, 1000, 100, 0));
  view.addInterval(interval(1, 1000, 2000, 90, 10));
  const update = view.update()!;
  assert.deepEqual(update.totals, { scheduled: 200, requests: 200, success: 190, failure: 10, dropped: 0 });
  assert.equal(update.elapsedS, 2);
  assert.equal(update.latest.failure, 10);
  assert.deepEqual(
    update.charts.map((chart) => [chart.id, chart.xs]),
    [
      ['time-throughput', [1, 2]],
      ['time-latency', [1, 2]],
      ['time-errors', [1, 2]],
    ],
  );
  assert.deepEqual(
    update.charts[2]!.series.map((line) => [line.label, line.values]),
    [['refused', [0, 10]]],
  );
  assert.deepEqual(update.verdicts, []);
  assert.equal(update.headline, null);
  // the event as the wire carries it: one data line of JSON
  const text = eventText('update', update);
  assert.match(text, /^event: update\ndata: \{.*\}\n\n$/);
  assert.deepEqual(JSON.parse(text.split('\n')[1]!.slice(6)), update);
});

test('a ramp: each judged step is a verdict line, and the breaking point is drawn once a step broke', () => {
  const view = new LiveView({ mode: 'ramp', lastOffered: 300, plannedS: 3, endurance: false });
  view.addInterval(interval(0, 0, 1000, 100, 0));
  view.addStep(step(100, 'held', null));
  let update = view.update()!;
  assert.deepEqual(update.verdicts, ['Step 100 req/s: held (achieved 100/s, errors 0.00%, p99 3.00 ms)']);
  assert.equal(update.headline, null, 'no answer while every step held');
  assert.equal(update.charts[0]!.markers.length, 0);
  view.addStep(step(200, 'broke', 'error rate 20.0% > 1%'));
  update = view.update()!;
  assert.deepEqual(
    update.charts.map((chart) => chart.id),
    ['ramp-throughput', 'ramp-latency', 'time-throughput', 'time-latency', 'time-errors'],
  );
  assert.deepEqual(
    update.charts[0]!.markers.map((marker) => [marker.x, marker.label]),
    [[100, 'breaking point ~100 req/s']],
  );
  assert.equal(update.verdicts[1], stepLine(step(200, 'broke', 'error rate 20.0% > 1%')));
  assert.match(update.headline!, /^Breaking point: ~100 req\/s \(200 req\/s broke: error rate 20.0% > 1%\)/);
});

test('an endurance run: outages appear as they are found', () => {
  const view = new LiveView({ mode: 'rate', lastOffered: null, plannedS: 20, endurance: true });
  for (let i = 0; i < 12; i++)
    view.addInterval(interval(i, i * 1000, (i + 1) * 1000, i >= 4 && i < 7 ? 0 : 100, i >= 4 && i < 7 ? 100 : 0));
  const update = view.update()!;
  assert.equal(update.charts[0]!.bands.length, 1, 'one outage band');
  assert.deepEqual([update.charts[0]!.bands[0]!.from, update.charts[0]!.bands[0]!.to], [4, 7]);
  assert.match(update.verdicts.join('\n'), /Outage/);
});
