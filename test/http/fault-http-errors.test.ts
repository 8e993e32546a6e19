/**
 * Fault 8: every response is a 5xx. They are responses (achieved counts them) and failures of
 * class `http`; with nothing successful every latency figure is null in JSON and n/a in text,
 * never NaN, 0 or a sentinel.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertCleanText } from '../helpers/invariants.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runStress, runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget(['--fail-rate', '1']);
});
after(() => target.stop());

testEachClient('every response 500: class http, all figures finite, n/a in the text report', async (client) => {
  const args = [...client, `${target.url}/hello`, '--rate', '300', '--duration', '1s', '--warmup', '0'];
  const [{ summary }, text] = await Promise.all([runSummary(args, { limitMs: 20_000 }), runStress([...args, '--quiet'], 20_000)]);
  const { totals } = summary;
  assert.equal(totals.requests, 300);
  assert.equal(totals.success, 0);
  assert.deepEqual(totals.errors, { http: 300 });
  assert.deepEqual(totals.statusCodes, { 500: 300 });
  assert.deepEqual(totals.errorCodes, {}, 'http failures are told apart by status code');
  assert.ok(summary.throughput.achieved > 250, `achieved ${summary.throughput.achieved}: a 500 is still an answer`);
  for (const figures of [summary.latencyMs, summary.serviceTimeMs, summary.sizes, summary.times]) {
    for (const value of Object.values(figures)) assert.equal(value, null);
  }
  assert.equal(text.code, 0, text.stderr);
  assertCleanText(text.stdout);
  assert.match(text.stdout, /Success: 0\n/);
  assert.match(text.stdout, /from due time +n\/a +n\/a/);
  assert.match(text.stdout, /Errors: http 300 \(100\.0% of requests\)/);
  assert.match(text.stdout, /Status codes: 500 300/);
});
