import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistogramLogReader, listTags } from 'hdr-histogram-js';
import { HlogWriter, stepTag } from '../../engine/report/hlog.js';
import { Histogram } from '../../engine/measure/histogram.js';

/** 2025-11-24T16:05:12.418Z */
const START_EPOCH_MS = 1_764_000_000_000 + 312_418;

function histogramOf(valuesUs: readonly number[]): Histogram {
  const histogram = new Histogram();
  for (const value of valuesUs) histogram.recordValue(value);
  return histogram;
}

/** Intervals of a short ramp: latencies in µs, widening step by step, one with a 2 s outlier. */
function rampIntervals() {
  const intervals = [];
  for (let phase = 0; phase < 3; phase++) {
    for (let k = 0; k < 2; k++) {
      const values = Array.from({ length: 1000 + 500 * phase }, (_, i) => 200 + ((i * 7919) % (1000 * (phase + 1))));
      if (phase === 2 && k === 1) values.push(2_000_000);
      const startMs = (phase * 2 + k) * 1000;
      intervals.push({ startMs, endMs: startMs + 1000, tag: stepTag(phase), histogram: histogramOf(values) });
    }
  }
  return intervals;
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stress-hlog-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an hlog reads back with hdr-histogram-js: headers, times, tags, counts, max and percentiles', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'run.hlog');
    const written = [{ startMs: 0, endMs: 1000, tag: null, histogram: histogramOf([1000, 1500, 2500, 120_000]) }, ...rampIntervals()];
    const writer = await HlogWriter.open(path, START_EPOCH_MS);
    for (const interval of written) writer.write(interval);
    await writer.close();

    const content = await readFile(path, 'utf8');
    const lines = content.split('\n');
    assert.equal(lines[0], '#[Histogram log format version 1.3]');
    assert.match(content, /^#\[StartTime: 1764000312\.418 \(seconds since epoch\), 2025-11-24T16:05:12\.418Z\]$/m);
    assert.match(content, /^#\[BaseTime: 1764000312\.418 \(seconds since epoch\)\]$/m);
    assert.ok(lines.includes('"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'));
    const intervalLines = lines.filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('"'));
    assert.equal(intervalLines.length, written.length);
    assert.match(intervalLines[0]!, /^0\.000,1\.000,120\.[0-9]{3},[A-Za-z0-9+/=]+$/, 'untagged: start, length, max in ms, base64');
    assert.match(intervalLines[1]!, /^Tag=step-1,0\.000,1\.000,\d+\.\d{3},[A-Za-z0-9+/=]+$/);
    assert.deepEqual(listTags(content), ['NO TAG', 'step-1', 'step-2', 'step-3']);

    const reader = new HistogramLogReader(content, 64);
    for (const [i, expected] of written.entries()) {
      const read = reader.nextIntervalHistogram();
      assert.ok(read, `interval ${i} is in the log`);
      assert.equal(read.tag, expected.tag ?? 'NO TAG');
      assert.equal(Math.round(read.startTimeStampMsec), START_EPOCH_MS + expected.startMs, 'start: base time + offset');
      assert.equal(Math.round(read.endTimeStampMsec), START_EPOCH_MS + expected.endMs);
      assert.equal(read.totalCount, expected.histogram.totalCount);
      // encoding keeps the buckets, so every figure equals the written one's at HDR precision
      for (const p of [0, 50, 90, 99, 99.9, 100]) {
        assert.equal(read.getValueAtPercentile(p), expected.histogram.getValueAtPercentile(p), `interval ${i} p${p}`);
      }
      // after decoding, the max is its bucket's top: equal within 3 significant digits
      const max = expected.histogram.maxValue;
      assert.ok(read.maxValue >= max && read.maxValue - max <= max / 1000, `interval ${i} max ${read.maxValue} vs ${max}`);
    }
    assert.equal(reader.nextIntervalHistogram(), null, 'nothing after the last interval');
    assert.equal(reader.startTimeSec, START_EPOCH_MS / 1000);
  }));

test('the Interval_Max column is the max in ms, and a 2 s outlier shows there', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'ramp.hlog');
    const writer = await HlogWriter.open(path, START_EPOCH_MS);
    for (const interval of rampIntervals()) writer.write(interval);
    await writer.close();
    const last = (await readFile(path, 'utf8')).trim().split('\n').at(-1)!;
    const [tag, start, length, max] = last.split(',');
    assert.equal(tag, 'Tag=step-3');
    assert.equal(start, '5.000');
    assert.equal(length, '1.000');
    // 2,000,000 µs within 3 significant digits
    assert.ok(Math.abs(Number(max) - 2000) <= 2, `max ${max} ms`);
  }));

test('each interval is on disk as soon as it is written (nothing held until close)', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'stream.hlog');
    const writer = await HlogWriter.open(path, START_EPOCH_MS);
    const countLines = async () => (await readFile(path, 'utf8')).split('\n').filter((line) => /^\d/.test(line)).length;
    assert.equal(await countLines(), 0);
    writer.write({ startMs: 0, endMs: 1000, tag: null, histogram: histogramOf([500]) });
    assert.equal(await countLines(), 1);
    writer.write({ startMs: 1000, endMs: 2000, tag: null, histogram: histogramOf([700]) });
    assert.equal(await countLines(), 2);
    await writer.close();
    assert.throws(() => writer.write({ startMs: 2000, endMs: 3000, tag: null, histogram: histogramOf([1]) }), /after close/);
  }));

test('a tag that would break the line format is refused', () =>
  withTempDir(async (dir) => {
    const writer = await HlogWriter.open(join(dir, 'tags.hlog'), START_EPOCH_MS);
    try {
      for (const tag of ['a,b', 'step 1', '']) {
        assert.throws(() => writer.write({ startMs: 0, endMs: 1000, tag, histogram: histogramOf([1]) }), RangeError, JSON.stringify(tag));
      }
    } finally {
      await writer.close();
    }
  }));

test('stepTag numbers ramp steps from 1', () => {
  assert.equal(stepTag(0), 'step-1');
  assert.equal(stepTag(9), 'step-10');
});
