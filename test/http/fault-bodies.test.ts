/**
 * Fault 5: huge and endless bodies are drained as they stream (counted, never buffered), so
 * memory stays bounded, and --max-body cuts them off as `too-large`.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { sampleProcess, type Sample } from '../helpers/proc-stats.js';
import { endlessChunked, startRawServer, type RawServer } from '../helpers/raw-servers.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';

let endless: RawServer;
let target: SpawnedTarget;
before(async () => {
  [endless, target] = await Promise.all([startRawServer(endlessChunked), spawnTarget([])]);
});
after(() => Promise.all([endless.close(), target.stop()]));

const MiB = 2 ** 20;

testEachClient('an endless chunked body: drained until the deadline, every byte counted, memory bounded', async (client) => {
  let samples!: Promise<Sample[]>;
  const { summary } = await runSummary(
    [...client, endless.url, '--rate', '10', '--duration', '2s', '--timeout', '1s', '--warmup', '0', '--workers', '1'],
    {
      limitMs: 30_000,
      whenStarted: (child) => (samples = sampleProcess(child.pid!, [1000, 2000, 2800])),
    },
  );
  assert.deepEqual(summary.totals.errors, { timeout: 20 });
  // loopback moves hundreds of MiB/s even on a busy box; buffering that would show in the RSS
  assert.ok(summary.bodyBytes > 100 * MiB, `drained ${(summary.bodyBytes / MiB).toFixed(0)} MiB`);
  const peak = Math.max(...(await samples).map((sample) => sample.rss ?? 0));
  assert.ok(
    peak > 0 && peak < 300 * MiB,
    `peak RSS ${(peak / MiB).toFixed(0)} MiB while draining ${(summary.bodyBytes / MiB).toFixed(0)} MiB`,
  );
});

testEachClient('--max-body cuts an endless body off and counts it as too-large', async (client) => {
  const { summary } = await runSummary(
    [...client, endless.url, '--rate', '20', '--duration', '1s', '--max-body', '1MiB', '--warmup', '0'],
    {
      limitMs: 30_000,
    },
  );
  assert.deepEqual(summary.totals.errors, { 'too-large': 20 });
  assert.deepEqual(summary.totals.errorCodes, { STRESS_ERR_MAX_BODY: 20 });
  // cut at the first chunk past 1 MiB: each read at most one 64 KiB chunk (plus socket buffering) more
  assert.ok(summary.bodyBytes > 20 * MiB && summary.bodyBytes < 20 * 3 * MiB, `body bytes ${summary.bodyBytes}`);
});

testEachClient(
  'a huge body of known size is drained whole and its bytes counted exactly; --max-body lets bodies up to the limit through',
  async (client) => {
    const size = 16 * MiB;
    const { summary } = await runSummary(
      [...client, `${target.url}/bytes/${size}`, '--rate', '10', '--duration', '1s', '--warmup', '0', '--max-body', String(size)],
      { limitMs: 30_000 },
    );
    assert.equal(summary.totals.success, 10);
    assert.equal(summary.bodyBytes, 10 * size);
    // the histogram holds sizes to 3 significant digits
    assert.ok(Math.abs(summary.sizes.median! - size) <= size / 1000, `median size ${summary.sizes.median}`);
    const cut = await runSummary(
      [...client, `${target.url}/bytes/${size}`, '--rate', '10', '--duration', '1s', '--warmup', '0', '--max-body', String(size - 1)],
      { limitMs: 30_000 },
    );
    assert.deepEqual(cut.summary.totals.errors, { 'too-large': 10 }, 'one byte over the limit is cut');
  },
);
