/**
 * A real ramp's output files, end to end: `--json` prints exactly what `--out` writes, and the
 * `--hdr-log` tags each interval with its step (`step-N`, numbered from 1), as the README says,
 * read back with hdr-histogram-js as HdrHistogram's own tools would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import type { ReportDocument } from '../../engine/report/document.js';
import { useTarget } from '../helpers/spawn-target.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const dir = await tempDirForFile('ramp-outputs');
const fixture = useTarget();

test('a ramp: --json prints the --out file byte for byte, and --hdr-log tags every interval with its step', async () => {
  const out = join(dir, 'ramp.json');
  const hlog = join(dir, 'ramp.hlog');
  const args = [`${fixture.target.url}/hello`, '--ramp', '200:400', '--steps', '2', '--step', '1s', '--interval', '250ms', '--warmup', '0'];
  args.push('--max-lag', CONTENTION_MAX_LAG, '--json', '--quiet', '--out', out, '--hdr-log', hlog);
  const run = await runStress(args, 30_000);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, await readFile(out, 'utf8'), '--json and --out: the same document');
  const document = JSON.parse(run.stdout) as ReportDocument;
  assert.deepEqual(
    document.steps!.map((step) => `${step.offered}:${step.verdict}`),
    ['200:held', '400:held'],
  );

  const reader = new HistogramLogReader(await readFile(hlog, 'utf8'));
  const byTag = new Map<string, { intervals: number; count: number }>();
  let firstStartMs: number | null = null;
  for (let histogram = reader.nextIntervalHistogram(); histogram !== null; histogram = reader.nextIntervalHistogram()) {
    firstStartMs ??= histogram.startTimeStampMsec;
    const sinceStartS: number = (histogram.startTimeStampMsec - firstStartMs) / 1000;
    // each 1 s step is four intervals of 250 ms; the drain after the ramp counts in its last step
    const expected: string = sinceStartS < 0.999 ? 'step-1' : 'step-2';
    assert.equal(histogram.tag, expected, `the interval starting ${sinceStartS} s in`);
    const seen = byTag.get(histogram.tag) ?? { intervals: 0, count: 0 };
    byTag.set(histogram.tag, { intervals: seen.intervals + 1, count: seen.count + histogram.totalCount });
  }
  assert.deepEqual([...byTag.keys()], ['step-1', 'step-2']);
  assert.ok(byTag.get('step-1')!.intervals === 4 && byTag.get('step-2')!.intervals >= 4, JSON.stringify([...byTag]));
  // the latencies of the requests answered in each step's time: about its rate for a second
  const { count: first } = byTag.get('step-1')!;
  const { count: second } = byTag.get('step-2')!;
  assert.ok(Math.abs(first - 200) <= 10 && Math.abs(second - 400) <= 10, `step-1 ${first}, step-2 ${second} latencies`);
  assert.equal(first + second, document.totals.success, "every successful request's latency is in the log once");
});
