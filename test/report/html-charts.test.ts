/** The HTML report's charts as data, and the pure helpers of the page's script. No browser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAND_COLORS } from '../../engine/report/html/chart-spec.js';
import { ERROR_CLASSES } from '../../engine/measure/snapshot.js';
import { chartSpecs, distributionChart, hdrX, timeCharts } from '../../engine/report/html/charts.js';
import { axisSize, clientScript, hdrPercentile, hdrTickLabel } from '../../engine/report/html/client.js';
import { rampCharts, stepBands } from '../../engine/report/html/ramp-charts.js';
import type { HtmlReport } from '../../engine/report/html/html-report.js';
import type { StepReport } from '../../engine/verdict/step-report.js';
import { loadFixture } from '../helpers/fixtures.js';

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, message ?? `${actual} ≈ ${expected}`);

test('the HDR axis: one unit per nine, the max at the place of a 1-in-count value', () => {
  // percentile -> x
  const table: Array<[number, number]> = [
    [0, 0],
    [50, Math.log10(2)],
    [90, 1],
    [99, 2],
    [99.9, 3],
    [99.99, 4],
  ];
  for (const [p, x] of table) close(hdrX(p, 1000), x, `p${p}`);
  close(hdrX(100, 1_000_000), 6, 'the max of a million samples sits at 99.9999%');
  close(hdrX(100, 0), 0, 'no samples: no infinity');
});

test('HDR tick labels and legend percentiles', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(hdrTickLabel), ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%']);
  assert.equal(hdrPercentile(Math.log10(2)), '50%');
  assert.equal(hdrPercentile(2), '99%');
  assert.equal(hdrPercentile(2.5), '99.7%');
  assert.equal(hdrPercentile(4), '99.99%');
});

test('a y axis is as wide as its longest tick label needs', () => {
  assert.ok(axisSize(['0', '10,000,000']) > axisSize(['0', '5']));
  assert.equal(axisSize(null), axisSize([]));
});

function step(offered: number, verdict: StepReport['verdict']): StepReport {
  return { ...loadFixture('report-ramp').steps![0]!, offered, verdict, reason: verdict === 'held' ? null : 'why' };
}

test('steps that did not hold get a band reaching half way to their neighbours, coloured by why', () => {
  const xs = [1000, 1500, 2000];
  const bands = stepBands(xs, [step(1000, 'held'), step(1500, 'generator-limited'), step(2000, 'broke')]);
  assert.deepEqual(bands, [
    { from: 1250, to: 1750, kind: 'generator-limited', color: BAND_COLORS['generator-limited'] },
    // the last step has no neighbour above: as wide on that side as below
    { from: 1750, to: 2250, kind: 'broke', color: BAND_COLORS.broke },
  ]);
  assert.deepEqual(
    stepBands([3000], [step(3000, 'broke')]).map(({ from, to }) => [from, to]),
    [[2700, 3300]],
    'a lone step: a tenth of its rate',
  );
});

test('ramp charts: steps and refine steps on one axis, the breaking point marked, bands for every step that did not hold', () => {
  const report = loadFixture('report-ramp');
  const [throughput, latency] = rampCharts(report);
  assert.ok(throughput && latency);
  assert.deepEqual(throughput.xs, [1000, 1500, 2000, 2500, 3000, 3250, 3313, 3375, 3500, 4000, 4500, 5000]);
  assert.deepEqual(
    throughput.markers.map(({ x, label }) => [x, label]),
    [[3313, 'breaking point ~3,313 req/s']],
  );
  const bands = (kind: string) => throughput.bands.filter((band) => band.kind === kind).map((band) => band.from);
  assert.deepEqual(bands('broke'), [3500 - 125 / 2, 4000 - 250, 3375 - 31], 'steps 3,500 and 4,000, refine 3,375');
  assert.deepEqual(bands('generator-limited'), [4250, 4750]);
  const refine = throughput.series.find((line) => line.label === 'achieved (refine)')!;
  assert.ok(refine.pointsOnly);
  assert.deepEqual(
    throughput.xs.filter((_, i) => refine.values[i] !== null),
    [3250, 3313, 3375],
  );
  const achieved = throughput.series.find((line) => line.label === 'achieved')!;
  assert.ok(achieved.spanGaps, "the steps' line runs across the refine rates");
  assert.equal(achieved.values[0], 1000);
  assert.ok(latency.y.log);
  for (const line of latency.series)
    assert.ok(
      line.values.every((value) => value === null || value > 0),
      `${line.label}: a log axis gets no zero`,
    );
});

test('a ramp whose first step broke is marked at that step', () => {
  const report = loadFixture('report-ramp');
  const broken: HtmlReport = { ...report, breakingPoint: { rate: null, brokeAt: 1000, reason: 'why', refined: false } };
  assert.deepEqual(
    rampCharts(broken)[0]!.markers.map(({ x, label }) => [x, label]),
    [[1000, 'broke below 1,000 req/s']],
  );
  assert.deepEqual(rampCharts({ ...report, breakingPoint: null })[0]!.markers, []);
});

test('over time: intervals as steps from the run start, outages shaded, one error series per class seen', () => {
  const charts = timeCharts(loadFixture('report-endurance'));
  assert.deepEqual(
    charts.map((chart) => chart.id),
    ['time-throughput', 'time-latency', 'time-errors'],
  );
  for (const chart of charts) {
    assert.equal(chart.x.min, 0);
    assert.ok(chart.stepped);
    assert.deepEqual(
      chart.bands.map(({ from, to, kind }) => [from, to, kind]),
      [[400, 415, 'outage']],
    );
  }
  const [throughput, latency, errors] = charts;
  assert.deepEqual(
    throughput!.series.map((line) => line.label),
    ['offered', 'achieved'],
  );
  assert.deepEqual(
    latency!.series.map((line) => line.label),
    ['p50', 'p90', 'p99', 'max'],
  );
  const at = (t: number) => throughput!.xs.indexOf(t);
  assert.equal(latency!.series[0]!.values[at(405)], null, 'nothing succeeded in the outage: a gap, not a zero');
  assert.deepEqual(
    errors!.series.map((line) => line.label),
    ['refused', 'reset'],
  );
  assert.ok(errors!.y.integers);
  assert.equal(errors!.series[0]!.values[at(405)]! + errors!.series[1]!.values[at(405)]!, 5000);
});

test('every error class is drawn in a colour of its own, tls and too-large among them', () => {
  const report = loadFixture('report-endurance');
  const classes = ERROR_CLASSES.map((name, index) => [name, index + 1] as const);
  const intervals = report.intervals.map((interval) => ({ ...interval, errors: Object.fromEntries(classes) }));
  const errors = timeCharts({ ...report, intervals })[2]!;
  assert.deepEqual(
    errors.series.map((line) => line.label),
    [...ERROR_CLASSES],
  );
  const colours = errors.series.map((line) => line.color);
  for (const colour of colours) assert.match(colour, /^#[0-9a-f]{6}$/, 'a colour, not undefined');
  assert.equal(new Set(colours).size, colours.length, 'no two classes alike');
});

test('over time, from an older summary: failures as one series, only the percentiles it has', () => {
  const [throughput, latency, errors] = timeCharts(loadFixture('legacy-load'));
  assert.deepEqual(
    throughput!.series.map((line) => line.label),
    ['achieved'],
  );
  assert.deepEqual(
    latency!.series.map((line) => line.label),
    ['p50', 'p99'],
  );
  assert.deepEqual(
    errors!.series.map((line) => line.label),
    ['failures'],
  );
  assert.equal(errors!.title, 'Errors per interval (none)');
  assert.equal(throughput!.x.min, null);
});

test('the distribution chart: x rises strictly, the max last; absent without percentiles', () => {
  const report = loadFixture('report-load');
  const chart = distributionChart(report)!;
  assert.ok(chart.xs.every((x, i) => i === 0 || x > chart.xs[i - 1]!));
  close(chart.xs.at(-1)!, Math.log10(report.totals.success));
  assert.equal(chart.series[0]!.values.at(-1), report.percentiles!.at(-1)!.latencyMs);
  assert.equal(distributionChart(loadFixture('legacy-load')), null);
  assert.deepEqual(
    chartSpecs(loadFixture('legacy-load')).map((spec) => spec.id),
    ['time-throughput', 'time-latency', 'time-errors'],
  );
});

test("the page's script is valid JavaScript and refers to nothing from Node", () => {
  const script = clientScript();
  assert.doesNotThrow(() => new Function(script), 'parses');
  assert.doesNotMatch(script, /\bimport\b|\brequire\(|_js_1\b|\bexports\b/);
  assert.match(script, /drawCharts\(uPlot\);/);
});
