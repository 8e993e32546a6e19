/**
 * The README's warm-up, end to end: an open loop offers its first rate for --warmup before the
 * measured start, and none of it is counted. The server counts what it received, so a warm-up
 * that is never sent (only "not counted") fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRecordingServer } from '../helpers/recording-server.js';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

/** Requests the server received beyond those the run counted, for `args` against a fresh server. */
async function uncounted(args: string[]): Promise<{ extra: number; scheduled: number }> {
  const server = await startRecordingServer();
  try {
    const { summary } = await runSummary([`${server.url}/`, '--workers', '1', '--max-lag', CONTENTION_MAX_LAG, ...args], {
      limitMs: 30_000,
    });
    assert.equal(summary.totals.failure, 0, JSON.stringify(summary.totals));
    return { extra: server.received.length - summary.totals.requests, scheduled: summary.totals.scheduled };
  } finally {
    await server.close();
  }
}

test('a steady run: 1 s of warm-up at its rate reaches the server, and only the measured second is counted', async () => {
  const { extra, scheduled } = await uncounted(['--rate', '200', '--duration', '1s', '--warmup', '1s']);
  assert.equal(scheduled, 200, 'the measured second, exactly');
  // 200 requests due in the warm-up: all sent, give or take the edges of the schedule
  assert.ok(extra >= 190 && extra <= 210, `${extra} requests at the server beyond those counted, 200 expected`);
});

test("a ramp warms up at its first step's rate, not at a later one", async () => {
  const { extra, scheduled } = await uncounted(['--ramp', '100:300', '--steps', '2', '--step', '1s', '--warmup', '1s']);
  assert.equal(scheduled, 400, 'the two steps, 100 and 300 req/s for 1 s each');
  assert.ok(extra >= 95 && extra <= 105, `${extra} warm-up requests at the server, 100 expected (the first step's rate)`);
});

test('--warmup 0: the server receives exactly the requests counted', async () => {
  const { extra } = await uncounted(['--rate', '200', '--duration', '1s', '--warmup', '0']);
  assert.equal(extra, 0);
});
