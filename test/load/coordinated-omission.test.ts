/**
 * Why latency is measured from the due time. The target stalls for 200 ms every second. An open
 * loop keeps sending on schedule, so 20% of requests fall into a stall and wait on average 100 ms:
 * p90 ~ 100 ms and p99 ~ 190 ms. A closed loop of 10 clients sends only 10 requests into each
 * stall and thousands between them, so its percentiles hide the stall (only its max shows it).
 * Each run lasts 2 s: every second of it holds one 200 ms stall, whatever its phase, so the shares
 * above need no longer run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runStress } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget(['--pause-every', '1s', '--pause-for', '200ms']);
});
after(async () => {
  await target.stop();
});

async function measure(args: string[]): Promise<Summary> {
  const run = await runStress([`${target.url}/hello`, ...args, '--duration', '2s', '--workers', '2', '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  return summary;
}

test('a stalling server: the open loop sees the stall in its percentiles, as the stall pattern predicts', async () => {
  const open = await measure(['--rate', '400']);
  const { p50, p90, p99, max } = open.latencyMs;
  assert.ok(p50! < 30, `p50 ${p50} ms: most requests miss the stall`);
  assert.ok(p90! >= 40 && p90! <= 170, `p90 ${p90} ms, predicted ~100 ms`);
  assert.ok(p99! >= 120 && p99! <= 320, `p99 ${p99} ms, predicted ~190 ms`);
  assert.ok(max! >= 150 && max! <= 450, `max ${max} ms, predicted ~200 ms`);
  assert.ok(open.schedulerLagMs.p99! < 20, "the generator itself was on time: the stall is the server's");

  const closed = await measure(['--clients', '10']);
  assert.ok(closed.latencyMs.max! >= 150, `closed loop max ${closed.latencyMs.max} ms: the stall happened`);
  assert.ok(closed.latencyMs.p99! * 2 < p99!, `closed loop p99 ${closed.latencyMs.p99} ms hides what the open loop's ${p99} ms shows`);
});
