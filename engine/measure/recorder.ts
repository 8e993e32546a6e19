/**
 * The hot path of measurement in one worker: records each request's outcome into the current
 * interval's histograms and counters, and at each interval boundary turns them into a `Snapshot`
 * and starts afresh. Nothing is kept per request. All times are ms from one monotonic clock.
 *
 * Every outcome is recorded once, into the tally of the step its request was due in (the caller
 * says which, as a plain number; step-timeline.ts). An interval's request figures are the sum of
 * its step tallies, added at the boundary rather than recorded twice per request, and the tallies
 * travel with the snapshot, so the primary can sum a step over the intervals its requests ended in
 * while the intervals themselves stay by completion time. At each boundary the recorder also
 * works out, per step, how many requests are in flight (from the tallies' counters: nothing more
 * per request), and reports with each snapshot how many steps it has closed.
 *
 * Nearly every outcome of an interval belongs to the step the interval lies in, its home step;
 * only answers that cross a step boundary belong to another. The home tally is a field never
 * reassigned, which V8 compiles into a faster path than a tally looked up by step (measured: the
 * recording itself cost a fifth more through a lookup, as the histograms' own code was inlined
 * less), so the lookup is kept for the few outcomes of other steps.
 */
import { Histogram, usFrom } from './histogram.js';
import { addCapped, countCapped, type OVERFLOW_KEY } from './capped-tally.js';
import { addCounts, addTally, zeroCounts, type Counts, type ErrorClass, type Snapshot } from './snapshot.js';
import { closedSteps, StepTimeline } from './step-timeline.js';
import { EndpointTally } from './endpoint-tally.js';

function workerHistogram(): Histogram {
  return new Histogram();
}

/** A step tally carries no generator delay nor connections (they belong to time, not to requests): empty on the wire. */
const NO_VALUES = workerHistogram().encodeForThread();

/** What one interval recorded about the requests due in one step. */
class StepTally {
  /**
   * The step whose requests this tally counts. Born -1 and set by the constructor: a field written
   * only at birth is compiled by V8 as a constant, and the first interval boundary's write
   * (`home.step`, below) then threw away the compiled scheduler tick and recording code and had
   * them compiled again, a second into every run.
   */
  step = -1;
  readonly counts: Counts = zeroCounts();
  readonly latencyUs = workerHistogram();
  readonly serviceUs = workerHistogram();
  readonly lagUs = workerHistogram();
  readonly sizeBytes = workerHistogram();
  /** capped: a broken target may answer with any status, and any error code, every time */
  readonly statusCodes = new Map<number | typeof OVERFLOW_KEY, number>();
  readonly errorCodes = new Map<string, number>();
  readonly errors = new Map<ErrorClass, number>();
  /**
   * The latest answers' status and how many in a row had it, added to `statusCodes` once another
   * status comes or the interval ends: nearly every answer has the status of the one before, and
   * a Map update per answer was most of the recording's cost after the histograms. 200 from the
   * start: a change the warm-up never made would be compiled as a bail-out, and the first measured
   * answer would throw the compiled response path away.
   */
  private runStatus = 200;
  private runCount = 0;

  constructor(step: number) {
    this.step = step;
  }

  sent(lagMs: number): void {
    this.counts.scheduled++;
    this.lagUs.recordValue(usFrom(lagMs));
  }

  dropped(): void {
    this.counts.scheduled++;
    this.counts.dropped++;
  }

  response(status: number, bodyBytes: number, dueMs: number, sentMs: number, doneMs: number): void {
    const counts = this.counts;
    counts.requests++;
    counts.responses++;
    counts.bodyBytes += bodyBytes;
    if (status === this.runStatus) this.runCount++;
    else this.startStatusRun(status);
    if (status < 400) {
      counts.success++;
      this.latencyUs.recordValue(usFrom(doneMs - dueMs));
      this.serviceUs.recordValue(usFrom(doneMs - sentMs));
      this.sizeBytes.recordValue(bodyBytes);
    } else {
      this.failed('http');
    }
  }

  private startStatusRun(status: number): void {
    this.endStatusRun();
    this.runStatus = status;
    this.runCount = 1;
  }

  /** Adds the run of equal statuses to `statusCodes`, in the order the statuses first came (capped-tally.ts keeps the first ones). */
  private endStatusRun(): void {
    if (this.runCount > 0) countCapped(this.statusCodes, this.runStatus, this.runCount);
    this.runCount = 0;
  }

  failure(errorClass: ErrorClass, bodyBytes: number, errorKey: string | null): void {
    this.counts.requests++;
    this.counts.bodyBytes += bodyBytes;
    this.failed(errorClass);
    if (errorKey !== null) countCapped(this.errorCodes, errorKey);
  }

  private failed(errorClass: ErrorClass): void {
    this.counts.failure++;
    this.errors.set(errorClass, (this.errors.get(errorClass) ?? 0) + 1);
  }

  get isEmpty(): boolean {
    return this.counts.scheduled === 0 && this.counts.requests === 0;
  }

  /** As a snapshot of the interval's bounds, its phase being the step. */
  snapshot(interval: number, startMs: number, endMs: number): Snapshot {
    this.endStatusRun();
    return {
      interval,
      phase: this.step,
      startMs,
      endMs,
      counts: { ...this.counts },
      statusCodes: Object.fromEntries(this.statusCodes),
      errors: Object.fromEntries(this.errors),
      errorCodes: Object.fromEntries(this.errorCodes),
      histograms: {
        latencyUs: this.latencyUs.encodeForThread(),
        serviceUs: this.serviceUs.encodeForThread(),
        lagUs: this.lagUs.encodeForThread(),
        sizeBytes: this.sizeBytes.encodeForThread(),
        loopDelayUs: NO_VALUES,
        gcPauseUs: NO_VALUES,
        connectUs: NO_VALUES,
        tlsHandshakeUs: NO_VALUES,
      },
    };
  }

  reset(): void {
    Object.assign(this.counts, zeroCounts());
    this.statusCodes.clear();
    this.runCount = 0;
    this.errors.clear();
    this.errorCodes.clear();
    for (const histogram of [this.latencyUs, this.serviceUs, this.lagUs, this.sizeBytes]) histogram.reset();
  }
}

/** The histograms a step tally has, which an interval adds up from its tallies. */
const REQUEST_HISTOGRAMS = ['latencyUs', 'serviceUs', 'lagUs', 'sizeBytes'] as const;

export class IntervalRecorder {
  /** the tally of the interval's home step (see the top) */
  private readonly home = new StepTally(0);
  /** this interval's tallies of the other steps, by step; null: nothing recorded for that step yet */
  private readonly others: Array<StepTally | null>;
  /** the same tallies in the order they were opened */
  private readonly opened: StepTally[] = [];
  /** tallies of earlier intervals, emptied, kept for reuse: nothing is allocated once the run is under way */
  private readonly spare: StepTally[] = [];
  /** requests sent and not yet ended, by step, as of the last boundary */
  private readonly inflight: number[];
  /** steps whose every request the load generator has issued (sent or dropped) */
  private issued = 0;
  private closed = 0;
  /** what the interval's tallies add up to when there are several (one is sent as it is) */
  private readonly sums: Record<(typeof REQUEST_HISTOGRAMS)[number], Histogram> = {
    latencyUs: workerHistogram(),
    serviceUs: workerHistogram(),
    lagUs: workerHistogram(),
    sizeBytes: workerHistogram(),
  };
  private readonly loopDelayUs = workerHistogram();
  private readonly gcPauseUs = workerHistogram();
  /** the interval's new connections: TCP connect and TLS handshake times, protocols and TLS versions agreed */
  private readonly connectUs = workerHistogram();
  private readonly tlsHandshakeUs = workerHistogram();
  private readonly protocols = new Map<string, number>();
  private readonly tlsVersions = new Map<string, number>();
  /** the generator's own counters over the interval (busy, observed, GC time); the request counters are the tallies' */
  private generator: Counts = zeroCounts();

  /** a request mix's tallies, by endpoint; null without a mix */
  private readonly endpoints: EndpointTally[] | null;

  /** `timeline`: the run's steps; absent: a run of one step. `endpointCount`: a mix's endpoints; 0: no mix */
  constructor(
    private readonly timeline: StepTimeline = new StepTimeline([]),
    endpointCount = 0,
  ) {
    this.endpoints = endpointCount === 0 ? null : Array.from({ length: endpointCount }, (_, endpoint) => new EndpointTally(endpoint));
    this.others = new Array<StepTally | null>(timeline.count).fill(null);
    this.inflight = new Array<number>(timeline.count).fill(0);
  }

  /** The tally of a step other than the home one, opened on its first outcome in the interval. */
  private other(step: number): StepTally {
    let tally = this.others[step];
    if (!tally) {
      tally = this.spare.pop() ?? new StepTally(step);
      tally.step = step;
      this.others[step] = tally;
      this.opened.push(tally);
    }
    return tally;
  }

  // Each method below calls the home tally and the other one in separate statements: one
  // expression choosing between them would lose the fast path of the home tally.

  /** A request due in `step` left the scheduler `lagMs` after it was due. */
  recordSent(step: number, lagMs: number): void {
    if (step === this.home.step) this.home.sent(lagMs);
    else this.other(step).sent(lagMs);
  }

  /** A request due in `step` was due but the in-flight cap was reached. */
  recordDropped(step: number): void {
    if (step === this.home.step) this.home.dropped();
    else this.other(step).dropped();
  }

  /**
   * A response arrived whole, to a request due in `step`. Success is a status below 400; latency is
   * measured from the due time, service time from the moment the request went onto a connection.
   * `endpoint`: the endpoint of a mix it went to.
   */
  recordResponse(step: number, status: number, bodyBytes: number, dueMs: number, sentMs: number, doneMs: number, endpoint = 0): void {
    if (step === this.home.step) this.home.response(status, bodyBytes, dueMs, sentMs, doneMs);
    else this.other(step).response(status, bodyBytes, dueMs, sentMs, doneMs);
    if (this.endpoints !== null) this.endpoints[endpoint]!.response(status, bodyBytes, dueMs, doneMs);
  }

  /**
   * A request due in `step` ended without a whole response; `errorKey` is its finer code (see
   * errorKey in error-class.ts).
   */
  recordFailure(step: number, errorClass: ErrorClass, bodyBytes = 0, errorKey: string | null = null, endpoint = 0): void {
    if (step === this.home.step) this.home.failure(errorClass, bodyBytes, errorKey);
    else this.other(step).failure(errorClass, bodyBytes, errorKey);
    if (this.endpoints !== null) this.endpoints[endpoint]!.failedWith(errorClass, bodyBytes);
  }

  /** The load generator has issued every request due before the step `steps` (it moves on, never back). */
  stepsIssued(steps: number): void {
    this.issued = Math.max(this.issued, Math.min(steps, this.timeline.count));
  }

  /** The load generator will issue nothing more. */
  allStepsIssued(): void {
    this.issued = this.timeline.count;
  }

  /** How busy this worker's event loop was over the interval (from performance.eventLoopUtilization). */
  recordLoopUtilization(busyMs: number, observedMs: number): void {
    this.generator.generatorBusyMs += busyMs;
    this.generator.generatorObservedMs += observedMs;
  }

  /**
   * The event loop's delay over the interval, from a sampler that expects to run every
   * `resolutionMs` (perf_hooks monitorEventLoopDelay): `valueAt(percent)` is its samples' value at
   * a percentile in ns, as its `percentile()` gives it (each value is the time between two runs, so
   * resolution + delay), and `count` is how many samples it took. Its histogram cannot be read
   * bucket by bucket, so the samples are rebuilt from percentiles that halve the remaining tail
   * (50, 75, 87.5...: the tail is rebuilt sample by sample), each its share of the count at its
   * value, and recorded as delays in µs. The sampler's `percentiles` Map would hand over the same
   * ticks, in a table made anew each interval: it was a third of what the worker's old
   * generation gained a minute in an endurance run.
   *
   * A sampler, like a load generator, is coordinated: while the loop is stalled it takes no
   * samples, so a 300 ms stall is one sample among a thousand a second and would be invisible
   * at p99. As HdrHistogram's recordValueWithExpectedInterval does, every late sample also
   * records the samples the stall prevented (delay - resolution, delay - 2 x resolution, ...).
   * Then every sample stands for one resolution step of time, and a percentile of this histogram
   * is the delay met by a request due (or a response arriving) at a random moment: a figure
   * that can be set beside a latency percentile.
   */
  recordLoopDelays(valueAt: (percent: number) => number, count: number, resolutionMs: number): void {
    const resolutionUs = Math.max(1, Math.round(resolutionMs * 1000));
    let recorded = 0;
    for (let tail = 50; recorded < count; tail /= 2) {
      const upTo = Math.min(count, Math.round((count * (100 - tail)) / 100));
      const samples = upTo - recorded;
      if (samples <= 0) continue;
      recorded = upTo;
      // the last samples are the highest: the value at 100, the maximum
      const valueNs = valueAt(upTo === count ? 100 : 100 - tail);
      const delayUs = Math.max(0, Math.round(valueNs / 1000) - resolutionUs);
      this.loopDelayUs.recordValueWithCount(delayUs, samples);
      for (let missed = delayUs - resolutionUs; missed > 0; missed -= resolutionUs) this.loopDelayUs.recordValueWithCount(missed, samples);
    }
  }

  /** A garbage collection pause of this worker's thread (from a PerformanceObserver of 'gc' entries). */
  recordGcPause(durationMs: number): void {
    this.generator.gcPauseMs += durationMs;
    this.gcPauseUs.recordValue(usFrom(durationMs));
  }

  /**
   * A new connection can carry requests: its TCP connect took `connectMs`, its TLS handshake
   * `handshakeMs` (null over plain TCP), and the server agreed to `protocol` (and `tlsVersion`).
   * Once per connection, never per request (http/connection-setup.ts calls it).
   */
  recordConnection(connectMs: number, handshakeMs: number | null, protocol: string, tlsVersion: string | null): void {
    this.connectUs.recordValue(usFrom(connectMs));
    countCapped(this.protocols, protocol);
    if (handshakeMs !== null) this.tlsHandshakeUs.recordValue(usFrom(handshakeMs));
    if (tlsVersion !== null) countCapped(this.tlsVersions, tlsVersion);
  }

  /**
   * Everything recorded since the last call, as a snapshot of the interval `interval` (in phase
   * `phase`, from `startMs` to `endMs`) with its step tallies and how many steps are closed as of
   * its end; the recorder starts empty again. A step whose planned end is after `endMs` is not
   * closed yet, even when its requests are all done: more of them may still be due.
   */
  takeSnapshot(interval: number, phase: number, startMs: number, endMs: number): Snapshot {
    const { home, opened } = this;
    const tallies = home.isEmpty ? opened : [home, ...opened];
    const steps = tallies.map((tally) => tally.snapshot(interval, startMs, endMs));
    const counts = this.generator;
    const statusCodes: Record<string, number> = {};
    const errors: Partial<Record<ErrorClass, number>> = {};
    const errorCodes: Record<string, number> = {};
    for (const step of steps) {
      addCounts(counts, step.counts);
      this.inflight[step.phase]! += step.counts.scheduled - step.counts.dropped - step.counts.requests;
      addCapped(statusCodes, step.statusCodes);
      addCapped(errorCodes, step.errorCodes ?? {});
      addTally(errors, step.errors);
    }
    const requestHistograms = {} as Record<(typeof REQUEST_HISTOGRAMS)[number], string>;
    for (const name of REQUEST_HISTOGRAMS) requestHistograms[name] = this.addedUp(name, tallies, steps);
    const ended = this.timeline.stepsEndedBy(endMs);
    this.closed = closedSteps(this.closed, Math.min(this.issued, ended), this.inflight);
    const snapshot: Snapshot = {
      interval,
      phase,
      startMs,
      endMs,
      counts,
      statusCodes,
      errors,
      errorCodes,
      histograms: {
        ...requestHistograms,
        loopDelayUs: this.loopDelayUs.encodeForThread(),
        gcPauseUs: this.gcPauseUs.encodeForThread(),
        connectUs: this.connectUs.encodeForThread(),
        tlsHandshakeUs: this.tlsHandshakeUs.encodeForThread(),
      },
      protocols: Object.fromEntries(this.protocols),
      tlsVersions: Object.fromEntries(this.tlsVersions),
      steps,
      ...(this.endpoints === null ? {} : { endpoints: this.endpoints.filter((tally) => tally.requests > 0).map((tally) => tally.take()) }),
      stepsClosed: this.closed,
    };
    home.reset();
    // the next interval starts at endMs: its home step is the one that time lies in
    home.step = Math.min(ended, this.timeline.count - 1);
    for (const tally of opened) {
      this.others[tally.step] = null;
      tally.reset();
      this.spare.push(tally);
    }
    opened.length = 0;
    this.generator = zeroCounts();
    this.loopDelayUs.reset();
    this.gcPauseUs.reset();
    this.connectUs.reset();
    this.tlsHandshakeUs.reset();
    this.protocols.clear();
    this.tlsVersions.clear();
    return snapshot;
  }

  /** One request histogram of the interval, encoded: its only tally's as it is, or the sum of several. */
  private addedUp(name: (typeof REQUEST_HISTOGRAMS)[number], tallies: readonly StepTally[], steps: readonly Snapshot[]): string {
    if (steps.length === 1) return steps[0]!.histograms[name];
    const sum = this.sums[name];
    sum.reset();
    for (const tally of tallies) sum.add(tally[name]);
    return sum.encodeForThread();
  }
}
