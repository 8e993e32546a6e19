/**
 * Faults 3 and 4: a target that accepts and never answers, and one that sends its body a byte
 * at a time. Both end in `timeout` by the total per-request deadline; the first also fills the
 * in-flight cap, after which due requests are dropped (not queued) and memory stays flat.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { sampleProcess, type Sample } from '../helpers/proc-stats.js';
import { neverAnswers, slowBody, startRawServer, type RawServer } from '../helpers/raw-servers.js';
import { runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function serve(behaviour: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const server = await startRawServer(behaviour);
  servers.push(server);
  return server;
}

testEachClient('never answers: timeouts, then drops at the in-flight cap, and flat memory', async (client) => {
  const server = await serve(neverAnswers);
  let samples!: Promise<Sample[]>;
  const { summary, run } = await runSummary(
    [
      ...client,
      server.url,
      '--rate',
      '2000',
      '--duration',
      '4s',
      '--timeout',
      '2s',
      '--max-inflight',
      '200',
      '--workers',
      '2',
      '--warmup',
      '0',
    ],
    { limitMs: 30_000, whenStarted: (child) => (samples = sampleProcess(child.pid!, [1000, 4000])) },
  );
  const { totals } = summary;
  assert.equal(totals.scheduled, 8000);
  assert.equal(totals.success, 0);
  assert.deepEqual(totals.errors, { timeout: totals.requests }, 'the ones still in flight at the end waited out their deadline');
  // each worker holds at most 200 for 2 s each: about 100 requests/s per worker get sent
  assert.ok(totals.requests >= 600 && totals.requests <= 1200, `sent ${totals.requests}`);
  assert.equal(totals.dropped, totals.scheduled - totals.requests);
  const [early, late] = await samples;
  assert.ok(early && late, 'sampled while it ran');
  const growthMiB = (late.rss! - early.rss!) / 2 ** 20;
  assert.ok(growthMiB < 40, `RSS grew ${growthMiB.toFixed(1)} MiB from 1 s to 4 s (${(late.rss! / 2 ** 20).toFixed(0)} MiB)`);
  assert.ok(run.elapsedMs < 4000 + 2000 + 5000, `took ${run.elapsedMs} ms`);
});

testEachClient('a byte every 200 ms: the total deadline fires, not only an idle timer', async (client) => {
  // the idle timers (1 s) never fire, since a byte comes every 200 ms; the body would take 20 s
  const server = await serve(slowBody(100, 200));
  const { summary, run } = await runSummary(
    [...client, server.url, '--rate', '20', '--duration', '2s', '--timeout', '1s', '--warmup', '0'],
    {
      limitMs: 30_000,
    },
  );
  assert.equal(summary.totals.requests, 40);
  assert.deepEqual(summary.totals.errors, { timeout: 40 });
  assert.deepEqual(summary.totals.errorCodes, { STRESS_ERR_DEADLINE: 40 });
  // each got about 5 bytes before its deadline: the bytes of failed requests are counted too
  assert.ok(summary.bodyBytes >= 40 * 2 && summary.bodyBytes <= 40 * 8, `body bytes ${summary.bodyBytes}`);
  assert.ok(run.elapsedMs < 2000 + 1000 + 5000, `took ${run.elapsedMs} ms`);
});
