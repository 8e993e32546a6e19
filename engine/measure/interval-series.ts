/**
 * The run over time, in bounded memory. Each merged interval is kept as a small point: its
 * counters and its latency histogram as a compressed string (about a kilobyte), never its
 * requests. When a long run fills the series, neighbouring points are merged pairwise, so a
 * soak of any length keeps at most `maxPoints` points, at a resolution that halves as needed.
 * Histograms are merged, not averaged, so every figure of a coarser point stays exact.
 */
import { decodeHistogram, decodeHistogramInto } from './hdr-decoding.js';
import type { Histogram } from './histogram.js';
import { addCounts, addTally, encodeHistogram, newHistogram, type Counts, type ErrorClass, type IntervalStats } from './snapshot.js';

export interface IntervalPoint {
  /** ms since the start of the run */
  startMs: number;
  endMs: number;
  /** phase (ramp step) of the point's first interval */
  phase: number;
  counts: Counts;
  errors: Partial<Record<ErrorClass, number>>;
  /** latency from due time of successful requests, µs, compressed base64 */
  latencyUs: string;
}

/**
 * 4,096 points of about 0.7 KB (measured: 700 bytes of heap a point at 1,000 req/s), at most about
 * 3 MB: 68 min of 1 s intervals, or 17 min of 250 ms, before any coarsening. Twice as many
 * (the bound before) was 6 MB, which an endurance run at 250 ms filled over its first 34 minutes:
 * the largest part of its resident memory's rise. An hour at 250 ms ends at 1 s a point, still
 * finer than the outages it times.
 */
export const DEFAULT_MAX_POINTS = 4096;

export function pointOf(stats: IntervalStats): IntervalPoint {
  return {
    startMs: stats.startMs,
    endMs: stats.endMs,
    phase: stats.phase,
    counts: { ...stats.counts },
    errors: { ...stats.errors },
    latencyUs: encodeHistogram(stats.histograms.latencyUs),
  };
}

export function decodeLatency(point: IntervalPoint): Histogram {
  return decodeHistogram(point.latencyUs);
}

/**
 * The histograms a merge of points decodes into and adds up, kept from one merge to the next: a
 * long run's series merges two pairs an interval, and new ones each time were count arrays of
 * kilobytes for the garbage collector, four an interval.
 */
const mergedLatency = newHistogram();
const pointLatency = newHistogram();

/** One point covering consecutive points (in order). */
export function mergePoints(points: readonly IntervalPoint[]): IntervalPoint {
  if (points.length === 1) return points[0]!;
  const counts = { ...points[0]!.counts };
  const errors: Partial<Record<ErrorClass, number>> = {};
  const latency = mergedLatency;
  latency.reset();
  points.forEach((point, index) => {
    if (index > 0) addCounts(counts, point.counts);
    addTally(errors, point.errors);
    decodeHistogramInto(point.latencyUs, pointLatency);
    latency.add(pointLatency);
  });
  return {
    startMs: points[0]!.startMs,
    endMs: points.at(-1)!.endMs,
    phase: points[0]!.phase,
    counts,
    errors,
    latencyUs: encodeHistogram(latency),
  };
}

/** Pairs merged per added interval while a coarsening is under way (see IntervalSeries). */
const MERGES_PER_INTERVAL = 2;

export class IntervalSeries {
  private readonly kept: IntervalPoint[] = [];
  /** how many merged intervals one new point holds (doubles at each coarsening) */
  private intervalsPerPoint = 1;
  /** intervals waiting to fill the next point at the current resolution */
  private pending: IntervalPoint[] = [];
  /**
   * The coarsening under way: kept[0, cursor) are already merged pairs, kept[cursor, mergeEnd)
   * still hold points at the old resolution, newer points follow. Null when none is under way.
   */
  private coarsening: { cursor: number; mergeEnd: number } | null = null;

  constructor(private readonly maxPoints = DEFAULT_MAX_POINTS) {
    if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be >= 2, got ${maxPoints}`);
  }

  /**
   * Adds one merged interval. A full series does not halve itself at once: merging thousands of
   * histograms holds the primary's event loop for hundreds of ms (measured: about 0.4 s for
   * 8,192 points, 0.1 ms a pair), which stalls progress, load boxes' messages and an in-process bundled target. So
   * each interval merges a couple of old pairs instead, and the series still never grows past
   * `maxPoints`: it shrinks by two points per interval and gains at most one.
   */
  add(stats: IntervalStats): void {
    this.pending.push(pointOf(stats));
    if (this.pending.length >= this.intervalsPerPoint) {
      this.kept.push(mergePoints(this.pending));
      this.pending = [];
    }
    if (this.coarsening === null && this.kept.length >= this.maxPoints) {
      this.coarsening = { cursor: 0, mergeEnd: this.kept.length };
      this.intervalsPerPoint *= 2;
    }
    this.mergePairs(MERGES_PER_INTERVAL);
  }

  /** Every point, the partial one at the end included; finishes any coarsening under way first. */
  points(): IntervalPoint[] {
    this.mergePairs(Infinity);
    return this.pending.length > 0 ? [...this.kept, mergePoints(this.pending)] : [...this.kept];
  }

  /** How many points the series holds now, the partial one included. */
  get size(): number {
    return this.kept.length + (this.pending.length > 0 ? 1 : 0);
  }

  /** The resolution of new points: how many intervals each covers. */
  get resolution(): number {
    return this.intervalsPerPoint;
  }

  private mergePairs(limit: number): void {
    const pass = this.coarsening;
    if (pass === null) return;
    for (let merged = 0; merged < limit && pass.mergeEnd - pass.cursor >= 2; merged++) {
      this.kept.splice(pass.cursor, 2, mergePoints(this.kept.slice(pass.cursor, pass.cursor + 2)));
      pass.cursor += 1;
      pass.mergeEnd -= 1;
    }
    // an odd point left over keeps its finer resolution: it is still exact, only narrower
    if (pass.mergeEnd - pass.cursor < 2) this.coarsening = null;
  }
}
