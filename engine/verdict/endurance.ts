/**
 * Endurance analysis, pure: an interval series in, outages (with recovery) and drift out.
 *
 * An interval is *down* when almost nothing succeeds in it: successes under 10% of what was
 * expected, where expected is the larger of the rate offered in that interval and the run's
 * typical success rate (so a closed loop whose clients all hang on timeouts, which offers
 * nothing, still shows as down). An outage is a maximal stretch of down intervals; its ends are
 * placed inside the boundary intervals by the share of them that still succeeded, which times
 * an outage to a fraction of an interval rather than to whole intervals.
 *
 * Drift compares the first and the last fifth of the intervals that were up (outages would
 * swamp any slow trend), using medians of the per-interval figures so that one GC pause or one
 * slow interval does not make a run "degrading", and fits a least-squares trend to p99 to say
 * how fast it moved.
 */
import { round } from '../../common/format.js';
import { median } from '../../common/median.js';

/** The per-interval figures the analysis needs (a subset of the summary's intervals). */
export interface EnduranceInterval {
  startS: number;
  /** end, s */
  t: number;
  scheduled: number;
  success: number;
  failure: number;
  dropped: number;
  /** responses per second */
  achieved: number;
  /** latency from due time, ms; null when nothing succeeded */
  p50: number | null;
  p99: number | null;
}

export interface Outage {
  startS: number;
  endS: number;
  durationS: number;
  /** requests lost in it: failures and drops */
  failed: number;
  /** from the outage's end until p99 latency was back within its baseline, s; null: it never was */
  recoveryS: number | null;
}

export interface Drift {
  verdict: 'stable' | 'degrading' | 'improving';
  /** what moved and by how much, one phrase per metric; empty when stable */
  reasons: string[];
  /** late / early medians of the per-interval p50 and p99 latency */
  p50Ratio: number | null;
  p99Ratio: number | null;
  /** late / early achieved throughput */
  throughputRatio: number | null;
  /** late minus early error rate ((failures + drops) / scheduled), 0..1 */
  errorRateDelta: number | null;
  /** least-squares slope of the per-interval p99 over the up intervals, ms per minute */
  p99TrendMsPerMin: number | null;
  /** how many intervals each window held */
  windowIntervals: number;
}

export interface EnduranceAnalysis {
  outages: Outage[];
  drift: Drift | null;
}

/** A run of this many intervals or more gets outage and drift analysis without --endurance. */
export const ENDURANCE_MIN_INTERVALS = 8;
/** The interval --endurance uses unless --interval says otherwise: fine enough to time an outage. */
export const ENDURANCE_INTERVAL_MS = 250;

/** Below this share of the expected successes an interval is down. */
export const DOWN_SHARE = 0.1;
/** A boundary interval at or above this share is taken as fully up. */
const UP_SHARE = 0.9;
/** Share of the up intervals in each drift window. */
const WINDOW_SHARE = 0.2;
/** Fewer up intervals than this: no drift verdict. */
export const MIN_DRIFT_INTERVALS = 10;
/** Shorter runs than this get no drift verdict: their windows would hold a few seconds of noise. */
export const MIN_DRIFT_S = 20;
/** Fewest intervals in a drift window: one slow interval must not decide the verdict. */
const MIN_WINDOW = 3;

/** A metric has drifted when it moved by this ratio and by this much in absolute terms (noise at sub-ms latencies). */
export const DRIFT_BOUNDS = { p50Ratio: 1.25, p50Ms: 0.5, p99Ratio: 1.5, p99Ms: 2, throughputRatio: 0.9, errorRate: 0.01 } as const;

const lengthS = (interval: EnduranceInterval): number => Math.max(1e-3, interval.t - interval.startS);
const successRate = (interval: EnduranceInterval): number => interval.success / lengthS(interval);

/** Share of the expected successes each interval achieved; null for an interval with nothing expected. */
export function successShares(intervals: readonly EnduranceInterval[]): Array<number | null> {
  const typicalRate = median(intervals.filter((interval) => interval.success > 0).map(successRate)) ?? 0;
  return intervals.map((interval) => {
    const expected = Math.max(interval.scheduled / lengthS(interval), typicalRate);
    return expected > 0 ? Math.min(1, successRate(interval) / expected) : null;
  });
}

export function findOutages(intervals: readonly EnduranceInterval[]): Outage[] {
  const shares = successShares(intervals);
  const down = shares.map((share) => share !== null && share < DOWN_SHARE);
  const baselineP99 = (before: number): number | null => {
    const upBefore = intervals.slice(0, before).filter((interval, index) => !down[index] && interval.p99 !== null);
    const pool = upBefore.length > 0 ? upBefore : intervals.filter((interval, index) => !down[index] && interval.p99 !== null);
    return median(pool.map((interval) => interval.p99!));
  };
  const outages: Outage[] = [];
  for (let first = 0; first < intervals.length; first++) {
    if (!down[first]) continue;
    let last = first;
    while (last + 1 < intervals.length && down[last + 1]) last++;
    const startS = edgeS(intervals, shares, first, -1);
    const endS = edgeS(intervals, shares, last, +1);
    let failed = 0;
    for (let index = first; index <= last; index++) failed += intervals[index]!.failure + intervals[index]!.dropped;
    outages.push({
      startS: round(startS),
      endS: round(endS),
      durationS: round(endS - startS),
      failed,
      recoveryS: recoveryS(intervals, down, last, endS, baselineP99(first)),
    });
    first = last;
  }
  return outages;
}

/**
 * Where an outage begins (side -1) or ends (side +1), inside the boundary intervals: the share
 * that still succeeded in an interval is taken as the part of it the server was up.
 */
function edgeS(intervals: readonly EnduranceInterval[], shares: ReadonlyArray<number | null>, boundary: number, side: -1 | 1): number {
  const neighbour = boundary + side;
  const neighbourShare = shares[neighbour];
  if (neighbourShare !== undefined && neighbourShare !== null && neighbourShare < UP_SHARE) {
    // the server went down (or came back) during the neighbouring, partly failing interval
    const interval = intervals[neighbour]!;
    return side < 0 ? interval.startS + neighbourShare * lengthS(interval) : interval.t - neighbourShare * lengthS(interval);
  }
  const interval = intervals[boundary]!;
  const share = shares[boundary] ?? 0;
  return side < 0 ? interval.startS + share * lengthS(interval) : interval.t - share * lengthS(interval);
}

/** Latency is back when an up interval's p99 is within twice its baseline (and 2 ms of slack). */
function recoveryS(
  intervals: readonly EnduranceInterval[],
  down: readonly boolean[],
  lastDown: number,
  endS: number,
  baselineP99: number | null,
): number | null {
  if (baselineP99 === null) return null;
  const bound = Math.max(2 * baselineP99, baselineP99 + DRIFT_BOUNDS.p99Ms);
  for (let index = lastDown + 1; index < intervals.length && !down[index]; index++) {
    const { p99 } = intervals[index]!;
    if (p99 !== null && p99 <= bound) return round(Math.max(0, intervals[index]!.startS - endS));
  }
  return null;
}

/** Least-squares slope of y over x, or null with fewer than two distinct x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 2) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance > 0 ? covariance / variance : null;
}

function windowFigures(window: readonly EnduranceInterval[]) {
  const scheduled = window.reduce((sum, interval) => sum + interval.scheduled, 0);
  const lost = window.reduce((sum, interval) => sum + interval.failure + interval.dropped, 0);
  return {
    p50: median(window.flatMap((interval) => (interval.p50 === null ? [] : [interval.p50]))),
    p99: median(window.flatMap((interval) => (interval.p99 === null ? [] : [interval.p99]))),
    achieved: window.reduce((sum, interval) => sum + interval.achieved, 0) / window.length,
    errorRate: scheduled > 0 ? lost / scheduled : null,
  };
}

const ratioOf = (late: number | null, early: number | null): number | null =>
  late !== null && early !== null && early > 0 ? round(late / early) : null;

export function analyseDrift(intervals: readonly EnduranceInterval[], outages: readonly Outage[]): Drift | null {
  const inOutage = (interval: EnduranceInterval) => outages.some((outage) => interval.t > outage.startS && interval.startS < outage.endS);
  const up = intervals.filter((interval) => !inOutage(interval));
  if (up.length < MIN_DRIFT_INTERVALS || up.at(-1)!.t - up[0]!.startS < MIN_DRIFT_S) return null;
  const windowIntervals = Math.max(MIN_WINDOW, Math.floor(up.length * WINDOW_SHARE));
  const early = windowFigures(up.slice(0, windowIntervals));
  const late = windowFigures(up.slice(-windowIntervals));
  const p50Ratio = ratioOf(late.p50, early.p50);
  const p99Ratio = ratioOf(late.p99, early.p99);
  const throughputRatio = ratioOf(late.achieved, early.achieved);
  const errorRateDelta = late.errorRate !== null && early.errorRate !== null ? round(late.errorRate - early.errorRate, 5) : null;
  const trend = slope(up.flatMap((interval) => (interval.p99 === null ? [] : [[interval.t / 60, interval.p99] as const])));

  const worse: string[] = [];
  const better: string[] = [];
  const latency = (name: string, ratio: number | null, earlyMs: number | null, lateMs: number | null, bound: number, slackMs: number) => {
    if (ratio === null || earlyMs === null || lateMs === null || Math.abs(lateMs - earlyMs) < slackMs) return;
    const phrase = `${name} latency ${ratio}x (${round(earlyMs, 2)} -> ${round(lateMs, 2)} ms)`;
    // the fitted trend must agree: two windows alone can differ by a stall at either end
    if (ratio >= bound && (trend === null || trend > 0)) worse.push(phrase);
    else if (ratio <= 1 / bound && (trend === null || trend < 0)) better.push(phrase);
  };
  latency('p50', p50Ratio, early.p50, late.p50, DRIFT_BOUNDS.p50Ratio, DRIFT_BOUNDS.p50Ms);
  latency('p99', p99Ratio, early.p99, late.p99, DRIFT_BOUNDS.p99Ratio, DRIFT_BOUNDS.p99Ms);
  if (throughputRatio !== null) {
    const phrase = `throughput ${throughputRatio}x (${round(early.achieved, 1)} -> ${round(late.achieved, 1)} req/s)`;
    if (throughputRatio <= DRIFT_BOUNDS.throughputRatio) worse.push(phrase);
    else if (throughputRatio >= 1 / DRIFT_BOUNDS.throughputRatio) better.push(phrase);
  }
  if (errorRateDelta !== null && Math.abs(errorRateDelta) >= DRIFT_BOUNDS.errorRate) {
    const phrase = `error rate ${errorRateDelta > 0 ? '+' : ''}${round(errorRateDelta * 100, 2)} points (${round(early.errorRate! * 100, 2)}% -> ${round(late.errorRate! * 100, 2)}%)`;
    (errorRateDelta > 0 ? worse : better).push(phrase);
  }
  const verdict = worse.length > 0 ? 'degrading' : better.length > 0 ? 'improving' : 'stable';
  return {
    verdict,
    reasons: verdict === 'degrading' ? worse : verdict === 'improving' ? better : [],
    p50Ratio,
    p99Ratio,
    throughputRatio,
    errorRateDelta,
    p99TrendMsPerMin: trend === null ? null : round(trend),
    windowIntervals,
  };
}

export function analyseEndurance(intervals: readonly EnduranceInterval[]): EnduranceAnalysis {
  const outages = findOutages(intervals);
  return { outages, drift: analyseDrift(intervals, outages) };
}
