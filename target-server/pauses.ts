/**
 * `--pause-every/--pause-for`: the whole server stalls now and then, the way a stop-the-world
 * GC pause or a swapped-out process does. The event loop is really blocked (no request is
 * read, no timer fires), so clients see every in-flight and arriving request delayed.
 */

/**
 * Blocks the calling thread for `ms` without burning CPU: `Atomics.wait` on a cell nobody
 * ever writes simply times out. (Node allows Atomics.wait on the main thread.)
 */
export function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Stalls for `forMs` at `start + k * everyMs` (k = 1, 2, ...), on absolute times so that the
 * period does not drift by the length of the stalls. Returns a function that stops it.
 * `stall` and `now` (ms, monotonic) are injectable for tests.
 */
export function schedulePauses(
  everyMs: number,
  forMs: number,
  stall: (ms: number) => void = blockThread,
  now: () => number = () => performance.now(),
): () => void {
  const startMs = now();
  let next = 1;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    timer = setTimeout(
      () => {
        stall(forMs);
        // Skip the slots that passed during the stall or a busy loop, rather than stalling
        // back to back to catch up.
        next = Math.max(next + 1, Math.floor((now() - startMs) / everyMs) + 1);
        arm();
      },
      Math.max(0, startMs + next * everyMs - now()),
    );
    // The stalls alone must not keep a closing process alive.
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
