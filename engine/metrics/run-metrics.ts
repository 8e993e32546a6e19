/**
 * The run's figures as Prometheus metrics, in prom-client's registry: an interval listener that
 * updates them once per merged interval, never per request. The counters grow by each interval's
 * counts, so a scrape after the last interval shows exactly the totals of the JSON summary; the
 * gauges are the last interval's; the latency histograms add each interval's HDR counts.
 *
 * For load boxes the intervals are the controller's merge of every box, as for the report. A
 * ramp's refining runs are counted on (their requests are in the JSON's refine steps, not in its
 * totals).
 *
 * Names follow Prometheus' conventions: base units (seconds, bytes), `_total` on counters, a
 * `_ratio` for a share. Every series exists from the start at zero, so `rate()` sees the first
 * interval's increase.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { AgentPart } from '../measure/agent-part.js';
import { ERROR_CLASSES, type EndpointStats, type IntervalStats } from '../measure/snapshot.js';
import type { StepPlace } from '../run/contract.js';
import { BucketHistogram, type Labels } from './bucket-histogram.js';
import { latencyBoundsUs } from './latency-bounds.js';

export interface RunMetricsOptions {
  /** the request timeout, ms: the latency buckets reach it */
  timeoutMs: number;
  /** a reporting interval, ms: an interval much shorter (the drain at the end) gives no rates */
  intervalMs: number;
  /** an open loop (--rate, --ramp) has a schedule: offered rate, lag, step */
  openLoop: boolean;
  /** a request mix's endpoint names, in the run's order (--targets); absent: one request */
  endpoints?: readonly string[];
}

export class RunMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly succeeded: Counter;
  private readonly failed: Counter<'class'>;
  private readonly dropped: Counter;
  private readonly scheduled: Counter;
  private readonly bodyBytes: Counter;
  private readonly latency: BucketHistogram;
  private readonly serviceTime: BucketHistogram;
  private readonly achievedRate: Gauge;
  private readonly inFlight: Gauge;
  private readonly busyRatio: Gauge;
  private readonly loadBoxes: Gauge;
  private readonly openLoop: {
    offeredRate: Gauge;
    lagP99: Gauge;
    step: Gauge;
    stepOfferedRate: Gauge;
  } | null;
  /** sent and not yet ended, over the whole run */
  private inFlightCount = 0;
  /** a mix's endpoint names: the requests' series are labelled `endpoint`, one per name */
  private readonly endpoints: readonly string[] | null;

  constructor(private readonly options: RunMetricsOptions) {
    const registers = [this.registry];
    this.endpoints = options.endpoints && options.endpoints.length > 0 ? options.endpoints : null;
    // with a mix, what is known by endpoint (requests, successes, failures, bytes, latency from due
    // time) is labelled by it, so that a sum over the labels is still the run's total; what is not
    // (drops, due requests, service time) stays the run's
    const byEndpoint = this.endpoints ? (['endpoint'] as const) : ([] as const);
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    const endpointCounter = (name: string, help: string) => new Counter({ name, help, labelNames: byEndpoint, registers });
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
    this.requests = endpointCounter('stress_requests_total', 'Requests that ended, succeeded or failed (not the dropped ones)');
    this.succeeded = endpointCounter('stress_requests_succeeded_total', 'Requests answered with a status below 400');
    this.failed = new Counter({
      name: 'stress_requests_failed_total',
      help: 'Requests that failed, by error class (http: a status of 400 or more)',
      labelNames: [...byEndpoint, 'class'],
      registers,
    });
    this.dropped = counter('stress_requests_dropped_total', 'Requests due but not sent: the in-flight cap was reached');
    this.scheduled = counter('stress_requests_scheduled_total', 'Requests due, sent or dropped');
    this.bodyBytes = endpointCounter('stress_response_body_bytes_total', 'Response body bytes received');
    const bounds = latencyBoundsUs(options.timeoutMs);
    this.latency = new BucketHistogram(
      'stress_latency_seconds',
      'Latency of successful requests from the time each was due (coordinated-omission free)',
      bounds,
      this.registry,
    );
    this.serviceTime = new BucketHistogram(
      'stress_service_time_seconds',
      'Latency of successful requests from the time each was sent',
      bounds,
      this.registry,
    );
    this.achievedRate = gauge('stress_achieved_requests_per_second', 'Responses per second over the last interval');
    this.inFlight = gauge('stress_requests_in_flight', 'Requests sent and not yet ended, at the end of the last interval');
    this.busyRatio = gauge('stress_generator_busy_ratio', "Share of the last interval the generator's event loops were busy, 0 to 1");
    this.loadBoxes = gauge('stress_load_boxes_connected', 'Load boxes that reported the last interval (0: the load runs on this machine)');
    this.openLoop = options.openLoop
      ? {
          offeredRate: gauge('stress_offered_requests_per_second', 'Requests due per second over the last interval'),
          lagP99: gauge('stress_scheduler_lag_p99_seconds', 'p99 of how late requests were sent after their due time, last interval'),
          step: gauge('stress_step', 'The step the last interval lies in, from 1 (a ramp: its refining runs count on)'),
          stepOfferedRate: gauge('stress_step_offered_requests_per_second', 'The rate the current step offers, requests per second'),
        }
      : null;
    // every series from the start, at zero: the run's, or one per endpoint of a mix
    for (const metric of [this.dropped, this.scheduled]) metric.inc(0);
    this.serviceTime.declare({});
    for (const labels of this.endpoints ? this.endpoints.map((endpoint) => ({ endpoint })) : [{}]) {
      for (const metric of [this.requests, this.succeeded, this.bodyBytes]) metric.inc(labels, 0);
      for (const errorClass of ERROR_CLASSES) this.failed.inc({ ...labels, class: errorClass }, 0);
      this.latency.declare(labels);
    }
  }

  /** Adds the requests' figures of one slice of an interval (the run's, or one endpoint's) under `labels`. */
  private addRequests(labels: Labels, part: Pick<EndpointStats, 'requests' | 'success' | 'errors' | 'bodyBytes' | 'latencyUs'>): void {
    this.requests.inc(labels, part.requests);
    this.succeeded.inc(labels, part.success);
    for (const errorClass of ERROR_CLASSES) {
      const failures = part.errors[errorClass] ?? 0;
      if (failures > 0) this.failed.inc({ ...labels, class: errorClass }, failures);
    }
    this.bodyBytes.inc(labels, part.bodyBytes);
    this.latency.add(part.latencyUs, labels);
  }

  /** An IntervalListener: adds one merged interval. */
  readonly interval = (interval: IntervalStats, parts?: readonly AgentPart[], place?: StepPlace): void => {
    const { counts } = interval;
    if (this.endpoints) {
      // a mix's endpoint figures add up to the interval's (checked for a box's, remote/box-message-check.ts)
      for (const part of interval.endpoints) this.addRequests({ endpoint: this.endpoints[part.endpoint] ?? String(part.endpoint) }, part);
    } else {
      this.addRequests({}, { ...counts, errors: interval.errors, latencyUs: interval.histograms.latencyUs });
    }
    this.dropped.inc(counts.dropped);
    this.scheduled.inc(counts.scheduled);
    this.serviceTime.add(interval.histograms.serviceUs);
    this.inFlightCount += counts.scheduled - counts.dropped - counts.requests;
    this.inFlight.set(this.inFlightCount);
    this.loadBoxes.set(parts ? parts.filter((part) => !part.lost).length : 0);
    if (place && this.openLoop) {
      this.openLoop.step.set(place.step + 1);
      this.openLoop.stepOfferedRate.set(place.offeredRate);
    }
    // the drain after the planned end can be a few ms long: rates over it would be noise
    const seconds = (interval.endMs - interval.startMs) / 1000;
    if (seconds * 1000 < this.options.intervalMs / 4) return;
    this.achievedRate.set(counts.responses / seconds);
    if (counts.generatorObservedMs > 0) this.busyRatio.set(counts.generatorBusyMs / counts.generatorObservedMs);
    if (this.openLoop) {
      this.openLoop.offeredRate.set(counts.scheduled / seconds);
      this.openLoop.lagP99.set(interval.histograms.lagUs.getValueAtPercentile(99) / 1e6);
    }
  };

  /** The exposition text, and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
