/**
 * A full garbage collection once a minute, in the primary, each worker and the bundled target's
 * thread, for as long as a run lasts.
 *
 * V8 starts a major collection only once a thread's old generation has grown well past what
 * survived the last one (8 MB at least, more as the heap grows), and a run's threads make garbage
 * that outlives the young generation slowly but steadily: a worker's interval snapshots, the
 * primary's decoded histograms and its series' compression. Measured with the endurance profile
 * (1,000 req/s, 250 ms intervals): a worker's old space gained 0.9 MB a minute, the primary's
 * array buffers 3 MB in 4 minutes, and none of it was taken back for half an hour, so resident
 * memory rose by a quarter although nothing the run holds grew that much. Collected every minute,
 * the garbage of a minute is all there is.
 *
 * The collection is atomic, a pause of its thread. The primary's and the target's delay no
 * request's measure. A worker's would, and grows with its young generation: measured, 15 ms at
 * 40,000 req/s, where V8's own (incremental) collections paused it 4.4 ms at most. So a worker
 * collects only after a minute in which its event loop was mostly idle, the long light run where
 * the garbage piles up; a busy worker's garbage is collected by V8 often enough, in smaller
 * pauses. A pause taken is recorded as any GC pause is (the generator's own delay). Runs shorter
 * than a minute never see one.
 *
 * V8 hands out its `gc` function only with --expose-gc. The flag is set for the whole process (it
 * cannot be taken back safely while another thread may be making its context) and each thread
 * takes the function from a context of its own. Where that fails, nothing is collected here.
 *
 * The flag is set only when the first collection is due, never at a run's start: once V8's flags
 * differ from those Node's own modules were compiled with, it refuses their compiled code, and
 * every built-in module loaded after that is compiled again from its source. Set at the start, that
 * was every worker's start-up (measured: loading nine of Node's modules cost 70 ms instead of 25 in
 * one thread). A run shorter than a minute never sets it.
 */
import { performance } from 'node:perf_hooks';

export const COLLECT_EVERY_MS = 60_000;

/** this thread's full collection; undefined: not looked up yet, null: V8 does not give it */
let collectGarbage: (() => void) | null | undefined;

/** This thread's full garbage collection, or null where V8 will not give it. */
export function fullCollection(): (() => void) | null {
  if (collectGarbage !== undefined) return collectGarbage;
  try {
    // v8 and vm loaded here too: a run shorter than a minute never loads them
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    const gc: unknown = process.getBuiltinModule('node:vm').runInNewContext('gc');
    collectGarbage = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collectGarbage = null;
  }
  return collectGarbage;
}

/**
 * Collects this thread's garbage every `everyMs`, each time `when()` agrees, until the function
 * returned is called; keeps no process alive.
 */
export function collectGarbageEvery(everyMs = COLLECT_EVERY_MS, when: () => boolean = () => true): () => void {
  const timer = setInterval(() => {
    if (!when()) return;
    // looked up (and the flag set) only now: see the top
    const gc = fullCollection();
    if (gc === null) clearInterval(timer);
    else gc();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A worker's event loop is mostly idle below this share of busy time (measured on one core: a tenth at 1,000 req/s, the endurance profile included; half at 40,000). */
export const MOSTLY_IDLE = 0.25;

/** True when this thread's event loop was busy less than MOSTLY_IDLE of the time since the last call (or since this was made). */
export function mostlyIdleSinceLastCall(): () => boolean {
  let since = performance.eventLoopUtilization();
  return () => {
    const busy = performance.eventLoopUtilization(since).utilization;
    since = performance.eventLoopUtilization();
    return busy < MOSTLY_IDLE;
  };
}
