/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import (Node runs preloads in
 * worker threads too): kills one worker thread from outside the engine, so a test can see what
 * the engine does when a worker dies, with no crash switch in the engine itself.
 *   CRASH_HOOK_THREAD   threadId of the worker to kill (worker threads count from 1)
 *   CRASH_HOOK_AFTER_MS when, after that thread started
 *   CRASH_HOOK_MODE     `throw` (an uncaught exception) or `exit` (process.exit in the thread)
 */
import { isMainThread, threadId } from 'node:worker_threads';

const target = Number(process.env.CRASH_HOOK_THREAD ?? 1);
const afterMs = Number(process.env.CRASH_HOOK_AFTER_MS ?? 1000);
const mode = process.env.CRASH_HOOK_MODE ?? 'throw';

if (!isMainThread && threadId === target) {
  setTimeout(() => {
    if (mode === 'exit') process.exit(3);
    throw new Error(`crash-worker-hook: thread ${threadId} killed after ${afterMs} ms`);
  }, afterMs).unref();
}
