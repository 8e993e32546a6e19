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
import { newHistogram } from '../engine/snapshot.js';
import type { ReportDocument } from '../engine/report/document.js';
import { runStress, runSummary } from './helpers/stress-cli.js';

const PROFILES = fileURLToPath(new URL('../../bench-profiles/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'stress-outputs-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the smoke profile runs end to end: endurance analysed, thresholds passed, and the .hlog holds the run', async () => {
  const hlog = join(dir, 'smoke.hlog');
  const { summary } = await runSummary(['--profile', join(PROFILES, 'smoke.json'), '--hdr-log', hlog], { limitMs: 30_000 });
  const document = summary as unknown as ReportDocument;
  assert.equal(document.run.rate, 300);
  assert.deepEqual(document.outages, [], 'no outage against a healthy target');
  assert.equal(document.drift, null, 'a 3 s run is too short for a drift verdict');
  assert.ok(document.thresholds.length === 2 && document.thresholds.every((threshold) => threshold.passed), JSON.stringify(document.thresholds));
  assert.ok(document.overTime.length >= 10 && document.overTime.length <= 20, `${document.overTime.length} rows over time`);
  assert.ok(document.verdicts.some((line) => line.startsWith('Outages: none')));
  assert.ok(document.percentiles.some((row) => row.percentile === 99.9 && row.latencyMs !== null));

  const text = await readFile(hlog, 'utf8');
  assert.match(text, /^#\[StartTime: [\d.]+ \(seconds since epoch\), /m);
  assert.match(text, /^#\[BaseTime: [\d.]+ \(seconds since epoch\)\]/m);
  assert.match(text, /^"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"$/m);
  const reader = new HistogramLogReader(text);
  const all = newHistogram();
  let intervals = 0;
  for (let histogram = reader.nextIntervalHistogram(); histogram !== null; histogram = reader.nextIntervalHistogram()) {
    all.add(histogram);
    intervals++;
  }
  assert.ok(intervals >= 12, `${intervals} intervals of 250 ms`);
  assert.equal(all.totalCount, summary.totals.success, 'every successful request\'s latency is in the log');
  const p99 = all.getValueAtPercentile(99) / 1000;
  assert.ok(Math.abs(p99 - summary.latencyMs.p99!) <= summary.latencyMs.p99! * 0.002 + 0.002, `hlog p99 ${p99} vs run ${summary.latencyMs.p99}`);
});

test('a crossed threshold exits 1 and is named; a met one exits 0', async () => {
  const failing = await runStress(['--rate', '200', '--duration', '1s', '--warmup', '0', '-q', '--fail-on', 'p99<0.001ms', '--fail-on', 'errors<1%'], 30_000);
  assert.equal(failing.code, 1, failing.stderr);
  assert.match(failing.stdout, /^Thresholds: FAILED p99<0\.001ms \(was [\d.]+\)$/m);
  assert.doesNotMatch(failing.stdout, /FAILED.*errors<1%/);
  const passing = await runStress(['--rate', '200', '--duration', '1s', '--warmup', '0', '-q', '--fail-on', 'p99<5s', '--fail-on', 'errors<1%'], 30_000);
  assert.equal(passing.code, 0, passing.stderr);
  assert.match(passing.stdout, /^Thresholds: all 2 passed$/m);
});
