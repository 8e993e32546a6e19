/**
 * The shipped smoke profile end to end, with its report files: the .hlog read back with
 * hdr-histogram-js holds every measured latency of the run; thresholds set the exit code and are
 * named when crossed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HistogramLogReader } from 'hdr-histogram-js';
import { build } from 'hdr-histogram-js';
import type { ReportDocument } from '../../engine/report/document.js';
import { runStress, runSummary } from '../helpers/stress-cli.js';

const PROFILES = fileURLToPath(new URL('../../../bench-profiles/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'stress-outputs-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the smoke profile runs end to end: endurance analysed, thresholds passed, and the .hlog holds the run', async () => {
  const hlog = join(dir, 'smoke.hlog');
  const { summary } = await runSummary(['--profile', join(PROFILES, 'smoke.json'), '--hdr-log', hlog], { limitMs: 30_000 });
  const document = summary as unknown as ReportDocument;
  assert.equal(document.run.rate, 300);
  assert.deepEqual(document.outages, [], 'no outage against a healthy target');
  assert.equal(document.drift, null, 'a 3 s run is too short for a drift verdict');
  assert.ok(
    document.thresholds.length === 2 && document.thresholds.every((threshold) => threshold.passed),
    JSON.stringify(document.thresholds),
  );
  assert.ok(document.overTime.length >= 10 && document.overTime.length <= 20, `${document.overTime.length} rows over time`);
  assert.ok(document.verdicts.some((line) => line.startsWith('Outages: none')));
  assert.ok(document.percentiles.some((row) => row.percentile === 99.9 && row.latencyMs !== null));

  const text = await readFile(hlog, 'utf8');
  assert.match(text, /^#\[StartTime: [\d.]+ \(seconds since epoch\), /m);
  assert.match(text, /^#\[BaseTime: [\d.]+ \(seconds since epoch\)\]/m);
  assert.match(text, /^"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"$/m);
  const reader = new HistogramLogReader(text);
  const all = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  let intervals = 0;
  for (let histogram = reader.nextIntervalHistogram(); histogram !== null; histogram = reader.nextIntervalHistogram()) {
    all.add(histogram);
    intervals++;
  }
  assert.ok(intervals >= 12, `${intervals} intervals of 250 ms`);
  assert.equal(all.totalCount, summary.totals.success, "every successful request's latency is in the log");
  const p99 = all.getValueAtPercentile(99) / 1000;
  assert.ok(
    Math.abs(p99 - summary.latencyMs.p99!) <= summary.latencyMs.p99! * 0.002 + 0.002,
    `hlog p99 ${p99} vs run ${summary.latencyMs.p99}`,
  );
});

test('a crossed threshold exits 1 and is named; a met one exits 0', async () => {
  const failing = await runStress(
    ['--rate', '200', '--duration', '1s', '--warmup', '0', '-q', '--fail-on', 'p99<0.001ms', '--fail-on', 'errors<1%'],
    30_000,
  );
  assert.equal(failing.code, 1, failing.stderr);
  assert.match(failing.stdout, /^Thresholds: FAILED p99<0\.001ms \(was [\d.]+\)$/m);
  assert.doesNotMatch(failing.stdout, /FAILED.*errors<1%/);
  const passing = await runStress(
    ['--rate', '200', '--duration', '1s', '--warmup', '0', '-q', '--fail-on', 'p99<5s', '--fail-on', 'errors<1%'],
    30_000,
  );
  assert.equal(passing.code, 0, passing.stderr);
  assert.match(passing.stdout, /^Thresholds: all 2 passed$/m);
});

test('--log writes exactly one CSV row per request, and its latencies agree with the histogram', async () => {
  const csv = join(dir, 'requests.csv');
  const { summary } = await runSummary(['--rate', '1000', '--duration', '2s', '--bundled', 'fail-rate=0.02', '--log', csv], {
    limitMs: 30_000,
  });
  const [header, ...rows] = (await readFile(csv, 'utf8')).trimEnd().split('\n');
  assert.equal(header, 'index,status,size_bytes,latency_ms,due_ms,service_ms,error');
  assert.equal(rows.length, summary.totals.requests, 'one row per request');
  const cells = rows.map((row) => row.split(','));
  assert.deepEqual(
    cells.map((row) => Number(row[0])),
    rows.map((_, index) => index + 1),
    'numbered 1..n',
  );
  const failed = cells.filter((row) => row[6] !== '');
  assert.equal(failed.length, summary.totals.failure);
  assert.ok(
    failed.every((row) => row[6] === 'http' && row[1] === '500'),
    "the target's 500s, as class http",
  );
  const latencies = cells
    .filter((row) => row[6] === '')
    .map((row) => Number(row[3]))
    .sort((a, b) => a - b);
  assert.equal(latencies.length, summary.totals.success);
  for (const [p, hdr] of [
    [50, summary.latencyMs.p50],
    [99, summary.latencyMs.p99],
  ] as const) {
    const exact = latencies[Math.ceil((p / 100) * latencies.length) - 1]!;
    // HDR keeps 3 significant digits; the CSV rounds to µs
    assert.ok(Math.abs(exact - hdr!) <= hdr! * 0.001 + 0.002, `p${p}: csv ${exact} ms, histogram ${hdr} ms`);
  }
});

test('over time: a run of more than 20 intervals is at most 20 rows, each the merge of its intervals', async () => {
  // 30 intervals of 100 ms: the table must merge them (in pairs) to fit the README's 20 rows
  const out = join(dir, 'over-time.json');
  const run = await runStress(['--rate', '200', '--duration', '3s', '--interval', '100ms', '--warmup', '0', '-q', '--out', out], 30_000);
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(await readFile(out, 'utf8')) as ReportDocument;
  const intervals = document.intervals.filter((interval) => interval.startS < 3);
  assert.ok(intervals.length > 20, `${intervals.length} intervals: more than the table holds`);
  const rows = document.overTime;
  assert.ok(rows.length <= 20 && rows.length >= 10, `${rows.length} rows over time`);
  assert.ok(
    rows.some((row) => intervals.filter((interval) => interval.startS >= row.startS && interval.t <= row.t).length >= 2),
    'rows were merged',
  );
  // the rows cover the intervals in order, each row the exact merge of those it spans
  assert.equal(rows[0]!.startS, intervals[0]!.startS);
  assert.equal(rows.at(-1)!.t, intervals.at(-1)!.t);
  for (const [index, row] of rows.entries()) {
    if (index > 0) assert.equal(row.startS, rows[index - 1]!.t, 'contiguous');
    const spanned = intervals.filter((interval) => interval.startS >= row.startS && interval.t <= row.t);
    assert.ok(spanned.length >= 1, `row until ${row.t} s spans an interval`);
    const sum = (key: 'requests' | 'success' | 'scheduled') => spanned.reduce((total, interval) => total + interval[key], 0);
    assert.equal(row.requests, sum('requests'), `row until ${row.t} s: its intervals' requests`);
    assert.equal(row.success, sum('success'));
    assert.equal(row.scheduled, sum('scheduled'));
    // merged histograms, not averaged figures: the row's max is its slowest interval's max
    assert.equal(row.max, Math.max(...spanned.map((interval) => interval.max ?? 0)), `row until ${row.t} s: max of its intervals`);
  }
  // the text table on stdout has the same rows
  const table = /^Over time \(ms from due time\)\n.*\n((?: {4}.*\n?)*)/m.exec(run.stdout);
  assert.ok(table, run.stdout);
  const textRows = table[1]!.trimEnd().split('\n');
  assert.equal(textRows.length, rows.length, 'the text shows one line per row');
  assert.deepEqual(
    textRows.map((line) => Number(line.trim().split(/\s+/)[0])),
    rows.map((row) => Number(row.t.toFixed(1))),
  );
});
