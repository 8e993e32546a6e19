/**
 * The hot path of measurement in one worker: records each request's outcome into the current
 * interval's histograms and counters, and at each interval boundary turns them into a `Snapshot`
 * and starts afresh. Nothing is kept per request. All times are ms from one monotonic clock.
 */
import { BucketCounts } from './bucket-counts.js';
import { countCapped, type OVERFLOW_KEY } from './capped-tally.js';
import { zeroCounts, type Counts, type ErrorClass, type Snapshot } from './snapshot.js';

const usFrom = (ms: number): number => Math.max(0, Math.round(ms * 1000));

function workerHistogram(): BucketCounts {
  return new BucketCounts();
}

export class IntervalRecorder {
  private latencyUs = workerHistogram();
  private serviceUs = workerHistogram();
  private lagUs = workerHistogram();
  private sizeBytes = workerHistogram();
  private loopDelayUs = workerHistogram();
  private gcPauseUs = workerHistogram();
  private counts: Counts = zeroCounts();
  /** capped: a broken target may answer with any status, and any error code, every time */
  private statusCodes = new Map<number | typeof OVERFLOW_KEY, number>();
  private errorCodes = new Map<string, number>();
  private errors = new Map<ErrorClass, number>();

  /** A request left the scheduler `lagMs` after it was due. */
  recordSent(lagMs: number): void {
    this.counts.scheduled++;
    this.lagUs.recordValue(usFrom(lagMs));
  }

  /** A request was due but the in-flight cap was reached. */
  recordDropped(): void {
    this.counts.scheduled++;
    this.counts.dropped++;
  }

  /**
   * A response arrived whole. Success is a status below 400; latency is measured from the due time,
   * service time from the moment the request went onto a connection.
   */
  recordResponse(status: number, bodyBytes: number, dueMs: number, sentMs: number, doneMs: number): void {
    this.counts.requests++;
    this.counts.responses++;
    this.counts.bodyBytes += bodyBytes;
    countCapped(this.statusCodes, status);
    if (status < 400) {
      this.counts.success++;
      this.latencyUs.recordValue(usFrom(doneMs - dueMs));
      this.serviceUs.recordValue(usFrom(doneMs - sentMs));
      this.sizeBytes.recordValue(bodyBytes);
    } else {
      this.failed('http');
    }
  }

  /** How busy this worker's event loop was over the interval (from performance.eventLoopUtilization). */
  recordLoopUtilization(busyMs: number, observedMs: number): void {
    this.counts.generatorBusyMs += busyMs;
    this.counts.generatorObservedMs += observedMs;
  }

  /**
   * The event loop's delay over the interval, from a sampler that expects to run every
   * `resolutionMs` (perf_hooks monitorEventLoopDelay): `percentiles` maps percentiles of its
   * samples to values in ns (each value is the time between two runs, so resolution + delay), and
   * `count` is how many samples it took. Its histogram cannot be read bucket by bucket, so the
   * samples are rebuilt from the percentile ticks (each tick's share of the count at its value;
   * the ticks halve the remaining tail, so the tail is rebuilt sample by sample) and recorded as
   * delays in µs.
   *
   * A sampler, like a load generator, is coordinated: while the loop is stalled it takes no
   * samples, so a 300 ms stall is one sample among a thousand a second and would be invisible
   * at p99. As HdrHistogram's recordValueWithExpectedInterval does, every late sample also
   * records the samples the stall prevented (delay - resolution, delay - 2 x resolution, ...).
   * Then every sample stands for one resolution step of time, and a percentile of this histogram
   * is the delay met by a request due (or a response arriving) at a random moment: a figure
   * that can be set beside a latency percentile.
   */
  recordLoopDelays(percentiles: ReadonlyMap<number, number>, count: number, resolutionMs: number): void {
    const resolutionUs = Math.max(1, Math.round(resolutionMs * 1000));
    let recorded = 0;
    for (const [percent, valueNs] of [...percentiles].sort((a, b) => a[0] - b[0])) {
      const upTo = Math.min(count, Math.round((count * percent) / 100));
      const samples = upTo - recorded;
      if (samples <= 0) continue;
      recorded = upTo;
      const delayUs = Math.max(0, Math.round(valueNs / 1000) - resolutionUs);
      this.loopDelayUs.recordValueWithCount(delayUs, samples);
      for (let missed = delayUs - resolutionUs; missed > 0; missed -= resolutionUs) this.loopDelayUs.recordValueWithCount(missed, samples);
    }
  }

  /** A garbage collection pause of this worker's thread (from a PerformanceObserver of 'gc' entries). */
  recordGcPause(durationMs: number): void {
    this.counts.gcPauseMs += durationMs;
    this.gcPauseUs.recordValue(usFrom(durationMs));
  }

  /** A request ended without a whole response; `errorKey` is its finer code (see errorKey in error-class.ts). */
  recordFailure(errorClass: ErrorClass, bodyBytes = 0, errorKey: string | null = null): void {
    this.counts.requests++;
    this.counts.bodyBytes += bodyBytes;
    this.failed(errorClass);
    if (errorKey !== null) countCapped(this.errorCodes, errorKey);
  }

  private failed(errorClass: ErrorClass): void {
    this.counts.failure++;
    this.errors.set(errorClass, (this.errors.get(errorClass) ?? 0) + 1);
  }

  /** Everything recorded since the last call, as a snapshot; the recorder starts empty again. */
  takeSnapshot(interval: number, phase: number, startMs: number, endMs: number): Snapshot {
    const snapshot: Snapshot = {
      interval,
      phase,
      startMs,
      endMs,
      counts: this.counts,
      statusCodes: Object.fromEntries(this.statusCodes),
      errors: Object.fromEntries(this.errors),
      errorCodes: Object.fromEntries(this.errorCodes),
      histograms: {
        latencyUs: this.latencyUs.encode(),
        serviceUs: this.serviceUs.encode(),
        lagUs: this.lagUs.encode(),
        sizeBytes: this.sizeBytes.encode(),
        loopDelayUs: this.loopDelayUs.encode(),
        gcPauseUs: this.gcPauseUs.encode(),
      },
    };
    this.counts = zeroCounts();
    this.statusCodes.clear();
    this.errors.clear();
    this.errorCodes.clear();
    return snapshot;
  }
}
