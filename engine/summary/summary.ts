/**
 * The run's result as one plain object: the JSON summary, and the single source the text
 * report is printed from. Pure: merged stats in, figures out; no NaN, no Infinity, null where a
 * figure does not exist (nothing succeeded, closed loop has no offered rate).
 */
import { round } from '../../common/format.js';
import type { RunResult, WorkerFailure } from '../run/contract.js';
import { remoteSummary, type RemoteSummary } from './box-summary.js';
import { endpointSummaries, type EndpointSummary } from './endpoint-summary.js';
import { decodeLatency, mergePoints, type IntervalPoint } from '../measure/interval-series.js';
import { analyseEndurance, ENDURANCE_MIN_INTERVALS, type Drift, type Outage } from '../verdict/endurance.js';
import type { Counts, ErrorClass } from '../measure/snapshot.js';
import type { Histogram } from '../measure/histogram.js';
import { DEFAULT_CRITERIA } from '../verdict/breaking-point.js';
import {
  centralFigures,
  connectionSetup,
  distribution,
  generatorDelay,
  percentile,
  percentileTable,
  type ConnectionSetup,
  type Distribution,
  type GeneratorDelay,
  type PercentileRow,
} from '../measure/statistics.js';

export interface IntervalSummary {
  /** end of the interval, s since the start */
  t: number;
  startS: number;
  /** phase (ramp step) */
  phase: number;
  scheduled: number;
  requests: number;
  success: number;
  failure: number;
  dropped: number;
  /** responses (any status) per second in this interval */
  achieved: number;
  /** requests due per second in this interval (the offered rate, as the generator met it) */
  offered: number;
  errors: Partial<Record<ErrorClass, number>>;
  /** latency from due time, ms (null: nothing succeeded) */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface Totals extends Pick<Counts, 'scheduled' | 'requests' | 'success' | 'failure' | 'dropped'> {
  errors: Partial<Record<ErrorClass, number>>;
  /** failures by finer code (ECONNREFUSED, EMFILE, STRESS_ERR_DEADLINE...), capped, the rest under `other` */
  errorCodes: Record<string, number>;
  statusCodes: Record<string, number>;
}

/** What the summary needs to know about the run besides its measurements. */
export interface RunMeta {
  mode: 'rate' | 'clients' | 'ramp';
  target: string;
  workers: number;
  /** offered req/s; null in a closed loop (for a ramp: the average over what ran) */
  offered: number | null;
  /** planned length of the load, s; null when bound by a request count */
  plannedS: number | null;
  /** outage and drift analysis forced on (--endurance); otherwise only for long enough steady runs */
  endurance?: boolean;
  /** scheduler lag p99 above this means the generator fell behind, ms (--max-lag); default 5 */
  maxLagMs?: number;
  /** the server's certificate was not verified (--insecure) */
  insecure?: boolean;
  /** a request mix's endpoint names, in the targets file's order; absent: no mix */
  endpointNames?: readonly string[];
}

export interface Summary {
  mode: 'rate' | 'clients' | 'ramp';
  target: string;
  workers: number;
  durationS: number;
  interrupted: boolean;
  totals: Totals;
  /** req/s: offered (null in a closed loop), and achieved: responses of any status per second */
  throughput: { offered: number | null; achieved: number };
  latencyMs: Distribution;
  serviceTimeMs: Distribution;
  /** `bound`: the p99 above which the generator counts as fallen behind (--max-lag) */
  schedulerLagMs: { p50: number | null; p99: number | null; max: number | null; bound: number };
  /**
   * the generator's own delay in reading what arrived, beside the lag: its event loop's delay p99
   * and max (as met at a random moment), its GC pauses summed over workers and the longest one
   */
  generatorDelayMs: GeneratorDelay;
  /** connections opened, their connect and TLS handshake times, protocols and TLS versions agreed */
  connections: ConnectionSetup;
  /** true: the server's certificate was not verified (--insecure); the text summary warns */
  insecure: boolean;
  sizes: { median: number | null; mean: number | null; mode: number | null };
  times: { median: number | null; mean: number | null; mode: number | null };
  bodyBytes: number;
  intervals: IntervalSummary[];
  workerFailures: WorkerFailure[];
  /** latency from due time and service time at the HDR plot's percentile ticks */
  percentiles: PercentileRow[];
  /** the intervals grouped into at most OVER_TIME_ROWS rows, for a table that fits a screen */
  overTime: IntervalSummary[];
  /** endurance analysis (steady runs of at least ENDURANCE_MIN_INTERVALS intervals, or --endurance); null otherwise */
  outages: Outage[] | null;
  drift: Drift | null;
  /** load boxes (remote runs only): each box's figures, clocks and losses */
  remote?: RemoteSummary;
  /** a request mix (--targets): each endpoint's figures, merged exactly; absent without a mix */
  endpoints?: EndpointSummary[];
}

export function intervalSummary(point: IntervalPoint): IntervalSummary {
  return intervalFigures(point, decodeLatency(point));
}

/**
 * An interval's figures as every report shows them, from its counts and its latency histogram:
 * the summary's (from a series point) and the live page's (from a merged interval, as it comes).
 */
export function intervalFigures(
  interval: Pick<IntervalPoint, 'startMs' | 'endMs' | 'phase' | 'counts' | 'errors'>,
  latency: Histogram,
): IntervalSummary {
  const seconds = Math.max(0.001, (interval.endMs - interval.startMs) / 1000);
  const at = (p: number) => percentile(latency, p, 1000);
  return {
    t: round(interval.endMs / 1000),
    startS: round(interval.startMs / 1000),
    phase: interval.phase,
    scheduled: interval.counts.scheduled,
    requests: interval.counts.requests,
    success: interval.counts.success,
    failure: interval.counts.failure,
    dropped: interval.counts.dropped,
    achieved: round(interval.counts.responses / seconds, 1),
    offered: round(interval.counts.scheduled / seconds, 1),
    errors: { ...interval.errors },
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
  };
}

/** Rows of the over-time table. */
export const OVER_TIME_ROWS = 20;

/** Consecutive points merged into at most `rows` rows of equal numbers of points. */
export function overTimeRows(points: readonly IntervalPoint[], rows: number): IntervalPoint[] {
  const perRow = Math.max(1, Math.ceil(points.length / rows));
  const merged: IntervalPoint[] = [];
  for (let index = 0; index < points.length; index += perRow) merged.push(mergePoints(points.slice(index, index + perRow)));
  return merged;
}

export function summarize(meta: RunMeta, result: RunResult): Summary {
  const { total } = result;
  const { plannedS } = meta;
  // Load was generated for the planned time, or until the stop; a request-bound run for as long as it took.
  const durationS = round(plannedS === null ? result.elapsedS : Math.min(plannedS, result.elapsedS));
  const intervals = result.series.map(intervalSummary);
  // the drain after the planned end offers nothing and only collects late answers: not the run's behaviour
  const loadPoints = result.series.filter((point) => plannedS === null || point.startMs < plannedS * 1000);
  const loadIntervals = intervals.slice(0, loadPoints.length);
  const analysed = meta.mode !== 'ramp' && (meta.endurance === true || loadIntervals.length >= ENDURANCE_MIN_INTERVALS);
  const endurance = analysed ? analyseEndurance(loadIntervals) : null;
  const lag = total.histograms.lagUs;
  const lagBoundMs = meta.maxLagMs ?? DEFAULT_CRITERIA.lagBoundMs;
  return {
    mode: meta.mode,
    target: meta.target,
    workers: meta.workers,
    durationS,
    interrupted: result.interrupted,
    totals: {
      scheduled: total.counts.scheduled,
      requests: total.counts.requests,
      success: total.counts.success,
      failure: total.counts.failure,
      dropped: total.counts.dropped,
      errors: { ...total.errors },
      errorCodes: { ...total.errorCodes },
      statusCodes: { ...total.statusCodes },
    },
    throughput: {
      offered: meta.offered,
      achieved: durationS > 0 ? round(total.counts.responses / durationS, 1) : 0,
    },
    latencyMs: distribution(total.histograms.latencyUs, 1000),
    serviceTimeMs: distribution(total.histograms.serviceUs, 1000),
    schedulerLagMs: { p50: percentile(lag, 50, 1000), p99: percentile(lag, 99, 1000), max: percentile(lag, 100, 1000), bound: lagBoundMs },
    generatorDelayMs: generatorDelay(total),
    connections: connectionSetup(total),
    insecure: meta.insecure ?? false,
    sizes: centralFigures(total.histograms.sizeBytes),
    times: centralFigures(total.histograms.latencyUs, 1000),
    bodyBytes: total.counts.bodyBytes,
    intervals,
    workerFailures: result.workerFailures,
    percentiles: percentileTable(total.histograms.latencyUs, total.histograms.serviceUs, 1000),
    overTime: overTimeRows(loadPoints, OVER_TIME_ROWS).map(intervalSummary),
    outages: endurance?.outages ?? null,
    drift: endurance?.drift ?? null,
    ...(result.remote ? { remote: remoteSummary(result.remote, durationS, meta.mode !== 'clients', lagBoundMs) } : {}),
    ...(meta.endpointNames ? { endpoints: endpointSummaries(meta.endpointNames, total.endpoints) } : {}),
  };
}
