/**
 * The engine end to end: the real CLI against the real target server on 127.0.0.1.
 * Bounds are wide on purpose: this machine has two cores shared by target, generator and tests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedPort } from '../helpers/raw-servers.js';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runStress } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(async () => {
  await target.stop();
});

function parseSummary(stdout: string): Summary {
  const summary = JSON.parse(stdout) as Summary;
  assertInvariants(summary);
  return summary;
}

test('open loop: two workers offer 3,000 req/s for 3 s and the target gets it', async () => {
  const run = await runStress([`${target.url}/hello`, '--rate', '3000', '--duration', '3s', '--workers', '2', '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parseSummary(run.stdout);
  assert.equal(summary.mode, 'rate');
  assert.equal(summary.workers, 2);
  assert.equal(summary.totals.scheduled, 9000, 'exactly R x T requests were due');
  assert.equal(summary.throughput.offered, 3000);
  assert.ok(summary.totals.success >= 0.99 * 9000, `success ${summary.totals.success}`);
  assert.ok(Math.abs(summary.throughput.achieved - 3000) <= 0.05 * 3000, `achieved ${summary.throughput.achieved}`);
  assert.ok(summary.intervals.length >= 3, 'one interval per second at least');
  assert.ok(summary.latencyMs.p50! > 0 && summary.latencyMs.p50! < 50, `p50 ${summary.latencyMs.p50}`);
  assert.ok(summary.schedulerLagMs.p99 !== null);
  assert.ok(summary.latencyMs.p99! >= summary.serviceTimeMs.p50!, 'latency from due time is never below service time overall');
});

test('closed loop: --clients 10 --requests 2000 makes exactly 2000 requests', async () => {
  const run = await runStress([`${target.url}/test-get/0`, '--clients', '10', '--requests', '2000', '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parseSummary(run.stdout);
  assert.equal(summary.mode, 'clients');
  assert.equal(summary.totals.requests, 2000);
  assert.equal(summary.totals.success, 2000);
  assert.equal(summary.throughput.offered, null);
  assert.ok(summary.sizes.median! >= 500 && summary.sizes.median! <= 40_000, `median size ${summary.sizes.median}`);
  assert.ok(summary.sizes.mean! > 10_000 && summary.sizes.mean! < 30_000, `mean size ${summary.sizes.mean}`);
  assert.ok(summary.bodyBytes >= 2000 * 500, 'bodies were drained and counted');
});

test("the text summary has the original tool's sections and our additions", async () => {
  const run = await runStress([`${target.url}/test-get/0`, '--clients', '4', '--requests', '300', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  for (const heading of [
    'Totals',
    'Request: 300',
    'Success: 300',
    'Failure: 0',
    'Dropped: 0',
    'Successful Sizes (bytes)',
    'Median:',
    'Mean:',
    'Mode:',
    'Successful Times (milliseconds)',
    'p99.9',
    'service time',
    'Throughput: achieved',
    'Errors: none',
    'Status codes: 200 300',
    // 4 clients: one keep-alive connection each, opened once, timed apart from the requests
    'Connections: 4 opened, http/1.1\n',
    'Set-up (ms)',
    '    connect ',
    'Generator:',
  ]) {
    assert.ok(run.stdout.includes(heading), `text summary has "${heading}"\n${run.stdout}`);
  }
  assert.doesNotMatch(run.stdout, /NaN|Infinity|undefined/);
});

test('a dead port is counted as refused, and the run still ends on time', async () => {
  const port = await refusedPort();
  const run = await runStress([`http://127.0.0.1:${port}/`, '--rate', '200', '--duration', '2s', '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parseSummary(run.stdout);
  assert.equal(summary.totals.success, 0);
  assert.equal(summary.totals.errors.refused, summary.totals.requests);
  assert.ok(summary.totals.requests >= 300, `requests ${summary.totals.requests}`);
  assert.equal(summary.latencyMs.p50, null, 'no success, no latency: null, not NaN');
  assert.equal(summary.times.median, null);
  assert.ok(run.elapsedMs < 8000, `took ${run.elapsedMs} ms`);
});

test('no URL: the bundled target starts in its own thread and /test-get/0 is used', async () => {
  const run = await runStress(['--rate', '200', '--duration', '1s', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parseSummary(run.stdout);
  assert.match(summary.target, /^http:\/\/127\.0\.0\.1:\d+\/test-get\/0$/);
  assert.match(run.stderr, /bundled target server on .* \(uWebSockets\.js native, in its own thread\)/);
  assert.equal(summary.totals.success, 200);
  assert.ok(summary.sizes.median! >= 500 && summary.sizes.median! <= 40_000);
});

test("no URL: a pause of the primary's main thread does not stall the bundled target, which has its own", async () => {
  const hook = new URL('../helpers/stall-primary-hook.js', import.meta.url).href;
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim(),
    STALL_HOOK_AFTER_MS: '1500',
    STALL_HOOK_FOR_MS: '800',
  };
  const run = await runStress(['--rate', '400', '--duration', '3s', '--warmup', '0', '--json', '--quiet'], 30_000, undefined, { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /stall-primary-hook: held the main thread 800 ms/, 'the pause happened, during the load');
  const summary = parseSummary(run.stdout);
  assert.equal(summary.totals.success, 1200);
  // in the primary's thread, the requests due during the pause would have waited up to 800 ms
  assert.ok(summary.latencyMs.max! < 400, `max latency ${summary.latencyMs.max} ms`);
});
