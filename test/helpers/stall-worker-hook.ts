/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import (Node runs preloads in
 * worker threads too): holds one worker thread's event loop busy once, the way a long GC pause
 * or a burst of work in the generator would, so a test can see whether the report blames the
 * server for the generator's own delay.
 *   STALL_HOOK_THREAD   threadId of the worker to hold (worker threads count from 1)
 *   STALL_HOOK_AFTER_MS when, after that thread started
 *   STALL_HOOK_FOR_MS   how long its event loop is held
 */
import { isMainThread, threadId } from 'node:worker_threads';

const target = Number(process.env.STALL_HOOK_THREAD ?? 1);
const afterMs = Number(process.env.STALL_HOOK_AFTER_MS ?? 1000);
const forMs = Number(process.env.STALL_HOOK_FOR_MS ?? 300);

if (!isMainThread && threadId === target) {
  setTimeout(() => {
    const until = performance.now() + forMs;
    while (performance.now() < until) {
      // busy on purpose: nothing else may run on this thread meanwhile
    }
    process.stderr.write(`stall-worker-hook: held worker thread ${threadId} ${forMs} ms\n`);
  }, afterMs).unref();
}
