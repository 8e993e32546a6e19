/**
 * The README's "every steady run (--rate or --clients) of 8 intervals or more is analysed",
 * end to end, without --endurance: 8 intervals of 250 ms get outages and a drift line, 7 do not,
 * nor does a ramp of 8 (a ramp is not steady).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ReportDocument } from '../../engine/report/document.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

/** A run of 250 ms intervals: whether its summary holds the endurance analysis, and its verdict lines. */
async function analysed(args: string[]): Promise<{ outages: unknown; intervals: number; verdicts: string[] }> {
  // --warmup and --max-lag are an open loop's
  const openLoop = args.includes('--clients') ? [] : ['--warmup', '0', '--max-lag', CONTENTION_MAX_LAG];
  const common = ['--interval', '250ms', ...openLoop];
  const { summary } = await runSummary([`${target.url}/hello`, ...common, ...args], { limitMs: 30_000 });
  const document = summary as unknown as ReportDocument;
  const intervals = summary.intervals.filter((interval) => interval.t <= summary.durationS).length;
  return { outages: summary.outages, intervals, verdicts: document.verdicts };
}

test('an open loop of 8 intervals is analysed without --endurance; one of 7 is not', async () => {
  const eight = await analysed(['--rate', '100', '--duration', '2s']);
  assert.equal(eight.intervals, 8);
  assert.deepEqual(eight.outages, [], 'analysed: no outage against a healthy target');
  assert.ok(eight.verdicts.includes('Outages: none'), eight.verdicts.join('\n'));
  assert.ok(
    eight.verdicts.some((line) => line.startsWith('Drift: run too short')),
    eight.verdicts.join('\n'),
  );
  const seven = await analysed(['--rate', '100', '--duration', '1750ms']);
  assert.equal(seven.intervals, 7);
  assert.equal(seven.outages, null, 'not analysed');
  assert.ok(!seven.verdicts.some((line) => line.startsWith('Outages') || line.startsWith('Drift')), seven.verdicts.join('\n'));
});

test('a closed loop of 8 intervals is analysed too; a ramp of 8 is not', async () => {
  // a closed loop's run lasts until its last requests end, a little past 2 s: 8 intervals or a 9th
  const closed = await analysed(['--clients', '2', '--duration', '2s']);
  assert.ok(closed.intervals >= 8, `${closed.intervals} intervals`);
  assert.deepEqual(closed.outages, []);
  const ramp = await analysed(['--ramp', '100:200', '--steps', '2', '--step', '1s']);
  assert.ok(ramp.intervals >= 8, `${ramp.intervals} intervals`);
  assert.equal(ramp.outages, null, 'a ramp is not a steady run');
});
