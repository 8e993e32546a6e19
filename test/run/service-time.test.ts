/**
 * The README's two times, end to end: service time runs from the moment a request went onto a
 * connection, latency from the moment it was due; in a closed loop there is no schedule, so the
 * two are the same. One connection and a server that answers in 100 ms make requests queue for
 * the connection: the wait is in their latency, never in their service time.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { testEachClient } from '../helpers/each-client.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

testEachClient('requests queued for the one connection: latency counts the wait, service time does not', async (client) => {
  // due every 50 ms, served one at a time in 100 ms: the i-th ends at 100 (i + 1) ms, due at 50 i,
  // so its latency is 100 + 50 i ms (up to about 1,050) and its service time 100 ms
  const args = [`${target.url}/delay/100`, ...client, '--rate', '20', '--duration', '1s', '--warmup', '0', '--workers', '1'];
  args.push('--connections', '1', '--max-lag', CONTENTION_MAX_LAG);
  const { summary } = await runSummary(args, { limitMs: 30_000 });
  assert.equal(summary.totals.success, 20, JSON.stringify(summary.totals));
  const service = summary.serviceTimeMs;
  const latency = summary.latencyMs;
  assert.ok(service.p50! >= 99 && service.p99! < 250, `service time p50 ${service.p50}, p99 ${service.p99} ms: the server's 100 ms`);
  assert.ok(latency.p50! >= 400, `latency p50 ${latency.p50} ms: the queue's wait is in it`);
  assert.ok(latency.max! >= 900, `latency max ${latency.max} ms: the last request waited for 19 others`);
});

testEachClient('closed loop: latency is the service time', async (client) => {
  const args = [`${target.url}/delay/20`, ...client, '--clients', '2', '--requests', '40'];
  const { summary } = await runSummary(args, { limitMs: 30_000 });
  assert.equal(summary.totals.success, 40);
  // one figure, measured once: the same distribution, to the microsecond
  assert.deepEqual(summary.latencyMs, summary.serviceTimeMs);
  assert.ok(summary.serviceTimeMs.p50! >= 20, `service time p50 ${summary.serviceTimeMs.p50} ms holds the server's 20 ms`);
});
