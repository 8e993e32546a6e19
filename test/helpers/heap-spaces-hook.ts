/**
 * Test hook, preloaded into `bin/stress` with NODE_OPTIONS=--import (Node runs preloads in worker
 * threads too): in each load-generating worker thread, watches V8's heap spaces and prints a line
 * on stderr whenever one of the watched spaces is resized, so a test can see how far the young
 * generation grew over a run (a heap's size in the process's RSS is not told apart from the rest).
 *   heap-spaces-hook: thread 2 new_space 16777216 at 735 ms
 * The bundled target's thread (its workerData names a host) and the primary are not watched.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread, threadId, workerData } from 'node:worker_threads';

const WATCHED = ['new_space'];
const EVERY_MS = 50;

const isTarget = typeof workerData === 'object' && workerData !== null && 'host' in workerData;

if (!isMainThread && !isTarget) {
  const last = new Map<string, number>();
  const look = (): void => {
    for (const space of getHeapSpaceStatistics()) {
      if (!WATCHED.includes(space.space_name) || last.get(space.space_name) === space.space_size) continue;
      last.set(space.space_name, space.space_size);
      process.stderr.write(
        `heap-spaces-hook: thread ${threadId} ${space.space_name} ${space.space_size} at ${Math.round(performance.now())} ms\n`,
      );
    }
  };
  look();
  setInterval(look, EVERY_MS).unref();
}
