/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import: holds the primary's main
 * thread busy once, the way a long synchronous job of the primary would (a big merge, a report
 * file), so a test can see what such a pause does to the measurements.
 *   STALL_HOOK_AFTER_MS when, after the process started
 *   STALL_HOOK_FOR_MS   how long the main thread is held
 */
import { isMainThread } from 'node:worker_threads';

const afterMs = Number(process.env.STALL_HOOK_AFTER_MS ?? 1000);
const forMs = Number(process.env.STALL_HOOK_FOR_MS ?? 500);

if (isMainThread) {
  setTimeout(() => {
    const until = performance.now() + forMs;
    while (performance.now() < until) {
      // busy on purpose: nothing else may run on this thread meanwhile
    }
    process.stderr.write(`stall-primary-hook: held the main thread ${forMs} ms\n`);
  }, afterMs).unref();
}
