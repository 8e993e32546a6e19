/**
 * Fault 1, connection refused: every request counts as `refused`, the generator does not spin
 * on reconnects (its own CPU time is measured), and the run ends on time.
 */

import assert from 'node:assert/strict';
import { assertCleanText } from '../helpers/invariants.js';
import { sampleProcess, type Sample } from '../helpers/proc-stats.js';
import { refusedPort } from '../helpers/raw-servers.js';
import { runStress, runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';

testEachClient('a closed loop against a refused port backs off instead of spinning, and ends on time', async (client) => {
  const url = `http://127.0.0.1:${await refusedPort()}/`;
  let samples!: Promise<Sample[]>;
  // 64 clients that would each retry the instant their refusal came back: without back-off
  // this used both cores fully (about 1.9 CPU-s per s measured); with it, almost nothing
  const { summary, run } = await runSummary([...client, url, '--clients', '64', '--duration', '3s', '--workers', '2'], {
    limitMs: 20_000,
    whenStarted: (child) => (samples = sampleProcess(child.pid!, [1000, 2500])),
  });
  const [early, late] = await samples;
  assert.ok(early && late, 'the generator was sampled while it ran');
  const cpuPerS = (late.cpuS! - early.cpuS!) / ((late.atMs - early.atMs) / 1000);
  assert.ok(cpuPerS < 0.2, `generator CPU ${cpuPerS.toFixed(2)} s per s against a refused port`);
  assert.equal(summary.totals.success, 0);
  assert.ok(summary.totals.requests >= 64, `requests ${summary.totals.requests}`);
  assert.deepEqual(summary.totals.errors, { refused: summary.totals.requests });
  assert.deepEqual(summary.totals.errorCodes, { ECONNREFUSED: summary.totals.requests });
  assert.ok(run.elapsedMs < 3000 + 5000, `took ${run.elapsedMs} ms`);
});

testEachClient(
  'an open loop against a refused port: every due request refused (none dropped), and the text report says n/a',
  async (client) => {
    const url = `http://127.0.0.1:${await refusedPort()}/`;
    const args = [...client, url, '--rate', '2000', '--duration', '1s', '--warmup', '0', '--max-inflight', '300'];
    const [{ summary }, text] = await Promise.all([runSummary(args, { limitMs: 20_000 }), runStress([...args, '--quiet'], 20_000)]);
    // requests wait for the next attempt, but never fill the in-flight cap: the probe goes out early
    assert.equal(summary.totals.scheduled, 2000);
    assert.equal(summary.totals.dropped, 0, 'a refusal is not a drop at the cap');
    assert.equal(summary.totals.errors.refused, 2000);
    assert.equal(summary.latencyMs.p50, null);
    assert.equal(text.code, 0, text.stderr);
    assertCleanText(text.stdout);
    assert.match(text.stdout, /Successful Times \(milliseconds\)\n {4}Median: n\/a/);
    assert.match(text.stdout, /Errors: refused 2,000 \(100\.0% of requests\)/);
    assert.match(text.stdout, /Error codes: ECONNREFUSED 2,000/);
  },
);
