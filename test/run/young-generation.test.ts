/**
 * Flat memory through outages (issue 14, item 13). A stall of the target holds a second of
 * requests in flight; objects that live that long survive V8's scavenges, and V8 answers a high
 * survival rate by doubling a thread's young generation (its new space, 16 MiB -> 32 MiB), which it
 * gives back only once the thread allocates little. Under undici's per-request allocations that
 * never happens: each stall of a long run left both workers' young generations at their largest
 * for good, and the process grew by their pages over the next minutes (the 15-minute endurance
 * profile: 237 -> 291 MB, in steps after the stalls). The workers' young generation is bounded
 * (run/local-run.ts); this run stalls the bundled target again and again, reads the size of each
 * worker's new space from V8 (a test preload, helpers/heap-spaces-hook.ts) and holds it to the bound.
 * On the code before the bound, undici's workers reached 32 MiB by the second or third stall.
 *
 * Run with undici only: the lean client's workers stay within the bound with or without it (their
 * new space peaks at 8 MiB through the same stalls), so a run of them could not fail on the bug.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

const HOOK = new URL('../helpers/heap-spaces-hook.js', import.meta.url).href;

/**
 * The bound: a young generation of 24 MiB (run/local-run.ts) is two semi-spaces of 8 MiB, a new
 * space of 16 MiB, where undici's workers settle at 1,000 req/s when nothing goes wrong.
 */
const NEW_SPACE_BOUND = 16 * 2 ** 20;

/** The largest new space each worker thread had over the run, by thread id. */
function largestNewSpaces(stderr: string): Map<number, number> {
  const largest = new Map<number, number>();
  for (const [, thread, bytes] of stderr.matchAll(/^heap-spaces-hook: thread (\d+) new_space (\d+)/gm))
    largest.set(Number(thread), Math.max(largest.get(Number(thread)) ?? 0, Number(bytes)));
  return largest;
}

test('stalls of the target leave the workers young generation within its bound [--client undici]', async () => {
  const client = ['--client', 'undici'];
  // 1,000 req/s with a 1 s deadline against a target that stalls 2 s every 3 s: a third stall
  // comes 9 s after the target's start, and undici's workers had doubled by then in every run seen
  const args = [
    ...client,
    '--rate',
    '1000',
    '--duration',
    '12s',
    '--timeout',
    '1s',
    '--workers',
    '2',
    '--max-lag',
    CONTENTION_MAX_LAG,
    '--bundled',
    'latency=1ms',
    '--bundled',
    'pause-every=3s',
    '--bundled',
    'pause-for=2s',
  ];
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim() };
  const { summary, run } = await runSummary(args, { limitMs: 40_000, env });
  assert.ok((summary.totals.errors.timeout ?? 0) > 500, `the stalls were outages: ${JSON.stringify(summary.totals.errors)}`);
  const largest = largestNewSpaces(run.stderr);
  assert.equal(largest.size, 2, `both workers watched; stderr: ${run.stderr}`);
  for (const [thread, bytes] of largest)
    assert.ok(
      bytes <= NEW_SPACE_BOUND,
      `worker thread ${thread}: new space grew to ${bytes / 2 ** 20} MiB, over the bound of ${NEW_SPACE_BOUND / 2 ** 20} MiB`,
    );
});
