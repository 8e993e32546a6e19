/**
 * The primary thread gives way to the workers. Its work (merging every worker's snapshots, the
 * progress line, the verdicts) is never late in a way that matters, but it runs on the same cores
 * as the workers, and each interval's merge took a core from a worker for several milliseconds at
 * a time: measured, one worker at 20,000 req/s pinned with the primary to one core had an event
 * loop delay p99 of 10 to 15 ms; with the primary thread at nice 10, 4 to 6 ms.
 *
 * On Linux a thread's nice value is its own, so lowering the primary's leaves the workers as they
 * were. A thread starts with its creator's nice value and an unprivileged process cannot raise it
 * back, so this is done only once no more worker threads will be started (`RunSpec.lastPool`):
 * threads started afterwards would share the lowered value and lose to the bundled target's thread.
 */
import { constants, setPriority } from 'node:os';

let lowered = false;

/** Lowers the calling (primary) thread's scheduling priority, once, on Linux; elsewhere nothing. */
export function yieldCoresToWorkers(): void {
  if (lowered || process.platform !== 'linux') return;
  lowered = true;
  try {
    // pid 0: the calling thread, on Linux
    setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // a container may forbid it: the run is as it would have been
  }
}
