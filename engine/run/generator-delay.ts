/**
 * The generator's own delay in one worker thread, measured apart from the requests (nothing per
 * request): how late its event loop ran (perf_hooks monitorEventLoopDelay) and how long garbage
 * collection stopped it (a PerformanceObserver of 'gc' entries). Both delay the reading of
 * responses that arrived in time, which the scheduler lag cannot see; the recorder turns them into
 * the interval's `loopDelayUs` and `gcPauseUs` histograms.
 *
 * Resolution: 1 ms, the finest the sampler takes. The figure is set beside a lag bound of 5 ms by
 * default and latencies of a few ms, so its step must be well under both; at the default 10 ms a
 * stall of a few ms would be seen only when it happened to cover a sample's due time. The cost is
 * the sampler's own timer: on a busy loop it rides the iterations the loop runs anyway (about a
 * thousand timer checks a second, no JavaScript; measured: one worker at 20,000 req/s spent the
 * same CPU with and without it, within the noise); on an idle worker it is about 2% of a core
 * for the wake-ups (measured on Node 20: 22 ms of CPU a second at 1 ms, 8 ms at 10 ms), paid only
 * when the worker has CPU to spare.
 */
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks';
import type { IntervalRecorder } from '../measure/recorder.js';

export const LOOP_RESOLUTION_MS = 1;

export class GeneratorDelayMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private readonly gc: PerformanceObserver;
  /** the sampler's value at a percentile, ns: made once, handed to the recorder each interval */
  private readonly loopDelayAt = (percent: number): number => this.loop.percentile(percent);

  constructor(private readonly recorder: IntervalRecorder) {
    this.gc = new PerformanceObserver((list) => this.recordGc(list.getEntries()));
  }

  /** Starts measuring afresh (at the measured start: the warm-up is not the run's). */
  start(): void {
    this.loop.disable();
    this.loop.reset();
    this.loop.enable();
    this.gc.disconnect();
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Hands what was measured since the last call to the recorder, and starts the next interval empty. */
  flush(): void {
    this.recordGc(this.gc.takeRecords());
    this.recorder.recordLoopDelays(this.loopDelayAt, this.loop.count, LOOP_RESOLUTION_MS);
    this.loop.reset();
  }

  stop(): void {
    this.loop.disable();
    this.gc.disconnect();
  }

  private recordGc(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) this.recorder.recordGcPause(entry.duration);
  }
}
