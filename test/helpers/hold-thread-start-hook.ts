/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import (Node runs preloads in
 * worker threads too): holds one worker thread at its start, before any code of its own runs,
 * and says so on stderr first, so a test can send a signal while the run is still being set up
 * (the thread has not reported ready, or the bundled target is not listening yet).
 *   HOLD_HOOK_THREAD  threadId of the thread to hold (worker threads count from 1)
 *   HOLD_HOOK_FOR_MS  how long it is held
 */
import { isMainThread, threadId } from 'node:worker_threads';

const target = Number(process.env.HOLD_HOOK_THREAD ?? 1);
const forMs = Number(process.env.HOLD_HOOK_FOR_MS ?? 1000);

if (!isMainThread && threadId === target) {
  process.stderr.write(`hold-thread-start-hook: holding thread ${threadId} for ${forMs} ms\n`);
  // asleep, not busy: the primary must be free to take the signal meanwhile
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, forMs);
}
