/**
 * The README's drift: "compared by their medians (one slow interval cannot decide it)", end to
 * end. A run of 21 s (drift needs 20) at a light 40 req/s against a node:http server that holds
 * ten consecutive answers 100 ms, 18 s in: inside the last fifth that drift compares with the
 * first. The slow stretch must show in its intervals, and the verdict must stay stable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRecordingServer } from '../helpers/recording-server.js';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

const RATE = 40;
/** the first request held: due 18 s in, with one worker the 721st to arrive */
const SLOW_FROM = 18 * RATE;
const SLOW_COUNT = 10;
const SLOW_MS = 100;

test('one slow interval near the end of a run does not make its drift degrading', async () => {
  const server = await startRecordingServer((index, _request, response) => {
    if (index >= SLOW_FROM && index < SLOW_FROM + SLOW_COUNT) setTimeout(() => response.end('ok'), SLOW_MS);
    else response.end('ok');
  });
  try {
    const args = [`${server.url}/`, '--rate', String(RATE), '--duration', '21s', '--interval', '250ms', '--warmup', '0'];
    args.push('--workers', '1', '--max-lag', CONTENTION_MAX_LAG);
    const { summary } = await runSummary(args, { limitMs: 60_000 });
    assert.equal(summary.totals.success, 21 * RATE, JSON.stringify(summary.totals));
    const slow = summary.intervals.filter((interval) => interval.p99 !== null && interval.p99 >= SLOW_MS * 0.9);
    // the held answers end within 350 ms of each other: one or two intervals of 250 ms hold them
    assert.ok(
      slow.length >= 1 && slow.length <= 2,
      `slow intervals: ${JSON.stringify(slow.map((interval) => [interval.t, interval.p99]))}`,
    );
    assert.ok(
      slow.every((interval) => interval.startS >= 17.75 && interval.t <= 18.75),
      'where the server held its answers',
    );
    assert.deepEqual(summary.outages, [], 'slow is not down');
    const { drift } = summary;
    assert.ok(drift !== null, 'a run of 21 s gets a drift verdict');
    assert.equal(drift.verdict, 'stable', JSON.stringify(drift));
    assert.ok(drift.p99Ratio! < 1.5, `p99 ratio ${drift.p99Ratio}: the slow interval did not sway the late window`);
  } finally {
    await server.close();
  }
});
