/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import (Node runs preloads in
 * worker threads too): in worker thread 1, before the worker opens its part of --log, puts a
 * named pipe where that part goes. The test reads the rows out of the pipe at its own pace: a
 * disk exactly as slow as the test wants, with no change to the engine.
 *   FIFO_HOOK_PATH  the part file to make a pipe of (`FILE.csv.part0`)
 */
import { execFileSync } from 'node:child_process';
import { isMainThread, threadId } from 'node:worker_threads';

const path = process.env.FIFO_HOOK_PATH;

if (!isMainThread && threadId === 1 && path) execFileSync('mkfifo', ['-m', '600', path]);
