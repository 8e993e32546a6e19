/**
 * Fault 5: huge and endless bodies are drained as they stream (counted, never buffered), so
 * memory stays bounded, and --max-body cuts them off as `too-large`.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { rssBytes, sampleProcess, type Sample } from '../helpers/proc-stats.js';
import { endlessChunked, endlessChunkedAnswer, perRequest, startRawServer, type RawServer } from '../helpers/raw-servers.js';
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
  // The bodies wait until the load runs (workers up, connections open, requests in flight): the
  // stress process's RSS then is the baseline its growth while draining is measured against.
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const held = await startRawServer(perRequest((socket) => void gate.then(() => socket.destroyed || endlessChunkedAnswer(socket))));
  let pid = 0;
  let baseline: number | null = null;
  let samples: Promise<Sample[]> = Promise.resolve([]);
  const firstRequest = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (held.accepted === 0) return;
      clearInterval(poll);
      resolve();
    }, 10);
  });
  void firstRequest.then(() =>
    setTimeout(() => {
      baseline = rssBytes(pid);
      openGate();
      samples = sampleProcess(pid, [200, 400, 600, 800, 1000, 1200, 1400, 1600]);
    }, 300),
  );
  try {
    const { summary } = await runSummary(
      [...client, held.url, '--rate', '10', '--duration', '2s', '--timeout', '1s', '--warmup', '0', '--workers', '1'],
      { limitMs: 30_000, whenStarted: (child) => (pid = child.pid!) },
    );
    assert.deepEqual(summary.totals.errors, { timeout: 20 });
    const drained = summary.bodyBytes;
    // loopback moves hundreds of MiB/s even on a busy box: buffering that would show in the RSS
    assert.ok(drained > 100 * MiB, `drained ${(drained / MiB).toFixed(0)} MiB`);
    const rss = (await samples).map((sample) => sample.rss ?? 0);
    assert.ok(baseline !== null && baseline > 0 && rss.length >= 4, `baseline ${baseline}, ${rss.length} samples`);
    const growth = Math.max(...rss) - baseline;
    // a client that held each body until its deadline would hold about a second's worth at any
    // moment, a third or more of all it drained; draining as they stream, it grows by GC's slack
    // (measured: 3 MiB for the lean client, 73 MiB for undici, while 4 to 7 GiB were drained)
    assert.ok(
      growth < drained / 10,
      `RSS grew ${(growth / MiB).toFixed(1)} MiB over its baseline of ${(baseline / MiB).toFixed(0)} MiB while ${(drained / MiB).toFixed(0)} MiB were drained`,
    );
  } finally {
    openGate();
    await held.close();
  }
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
