/**
 * The run over time, in bounded memory. Each merged interval is kept as a small point: its
 * counters and its latency histogram as a compressed string (about a kilobyte), never its
 * requests. When a long run fills the series, neighbouring points are merged pairwise, so a
 * soak of any length keeps at most `maxPoints` points, at a resolution that halves as needed.
 * Histograms are merged, not averaged, so every figure of a coarser point stays exact.
 */
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { encodeHistogram, newHistogram, type Counts, type ErrorClass, type IntervalStats } from './snapshot.js';

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

/** 8192 points of about 1.5 KB: 2 h of 1 s intervals (or 34 min of 250 ms) before any coarsening. */
export const DEFAULT_MAX_POINTS = 8192;

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
  const histogram = newHistogram();
  histogram.add(decodeFromCompressedBase64(point.latencyUs, 64));
  return histogram;
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const key of Object.keys(from) as K[]) into[key] = (into[key] ?? 0) + (from[key] ?? 0);
}

/** One point covering consecutive points (in order). */
export function mergePoints(points: readonly IntervalPoint[]): IntervalPoint {
  if (points.length === 1) return points[0]!;
  const counts = { ...points[0]!.counts };
  const errors: Partial<Record<ErrorClass, number>> = {};
  const latency = newHistogram();
  points.forEach((point, index) => {
    if (index > 0) addCounts(counts as unknown as Record<string, number>, point.counts as unknown as Record<string, number>);
    addCounts(errors, point.errors);
    latency.add(decodeLatency(point));
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

export class IntervalSeries {
  private readonly kept: IntervalPoint[] = [];
  /** how many merged intervals one point holds now (doubles at each coarsening) */
  private intervalsPerPoint = 1;
  /** intervals waiting to fill the next point at the current resolution */
  private pending: IntervalPoint[] = [];

  constructor(private readonly maxPoints = DEFAULT_MAX_POINTS) {
    if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be >= 2, got ${maxPoints}`);
  }

  add(stats: IntervalStats): void {
    this.pending.push(pointOf(stats));
    if (this.pending.length < this.intervalsPerPoint) return;
    this.kept.push(mergePoints(this.pending));
    this.pending = [];
    if (this.kept.length >= this.maxPoints) this.coarsen();
  }

  /** Every point, the partial one at the end included. */
  points(): IntervalPoint[] {
    return this.pending.length > 0 ? [...this.kept, mergePoints(this.pending)] : [...this.kept];
  }

  /** The resolution now: how many intervals each point covers. */
  get resolution(): number {
    return this.intervalsPerPoint;
  }

  private coarsen(): void {
    const pairs: IntervalPoint[] = [];
    for (let index = 0; index < this.kept.length; index += 2) pairs.push(mergePoints(this.kept.slice(index, index + 2)));
    this.kept.length = 0;
    this.kept.push(...pairs);
    this.intervalsPerPoint *= 2;
  }
}
