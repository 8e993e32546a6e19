/**
 * The live page's intervals: one point per merged interval, the same figures as the summary's
 * intervals (intervalSummary), computed from the merged interval once, as it arrives. Bounded:
 * a run of hours keeps at most `maxPoints`; when full, neighbouring points are merged pairwise.
 * A merged point's counts stay exact (sums), its rates are its halves' weighted by their time, its
 * percentiles the worse of its two halves (histograms are not kept here, to keep each interval's cost small):
 * an upper bound, never an average. The final report, drawn from the run's own series, is exact.
 */
import { round } from '../../common/format.js';
import { addTally, type IntervalStats } from '../measure/snapshot.js';
import { intervalFigures, type IntervalSummary } from '../summary/summary.js';

/** 2,048 points of a few hundred bytes of JSON: 34 min of 1 s intervals before any merging. */
export const MAX_LIVE_POINTS = 2048;

/** One merged interval as the summary shows it (intervalSummary of its point), without encoding its histogram. */
export function livePoint(stats: IntervalStats): IntervalSummary {
  return intervalFigures(stats, stats.histograms.latencyUs);
}

const worse = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Two consecutive points as one: counts summed, rates over the whole time, percentiles the worse of the two. */
export function mergeLivePoints(a: IntervalSummary, b: IntervalSummary): IntervalSummary {
  const seconds = Math.max(0.001, b.t - a.startS);
  const errors = { ...a.errors };
  addTally(errors, b.errors);
  // a rate times its interval's length is its count (of responses or of due requests)
  const responses = a.achieved * (a.t - a.startS) + b.achieved * (b.t - b.startS);
  const scheduled = a.scheduled + b.scheduled;
  return {
    t: b.t,
    startS: a.startS,
    phase: a.phase,
    scheduled,
    requests: a.requests + b.requests,
    success: a.success + b.success,
    failure: a.failure + b.failure,
    dropped: a.dropped + b.dropped,
    achieved: round(responses / seconds, 1),
    offered: round(scheduled / seconds, 1),
    errors,
    p50: worse(a.p50, b.p50),
    p90: worse(a.p90, b.p90),
    p99: worse(a.p99, b.p99),
    max: worse(a.max, b.max),
  };
}

export class LivePoints {
  private points: IntervalSummary[] = [];

  constructor(private readonly maxPoints = MAX_LIVE_POINTS) {
    if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be >= 2, got ${maxPoints}`);
  }

  add(point: IntervalSummary): void {
    this.points.push(point);
    if (this.points.length <= this.maxPoints) return;
    // a few thousand small objects, once in a long while: far below an interval's time
    const halved: IntervalSummary[] = [];
    for (let i = 0; i < this.points.length; i += 2) {
      const next = this.points[i + 1];
      halved.push(next ? mergeLivePoints(this.points[i]!, next) : this.points[i]!);
    }
    this.points = halved;
  }

  list(): readonly IntervalSummary[] {
    return this.points;
  }
}
