/**
 * Arrival schedules as pure functions of elapsed time: when is hit i due, and how many hits are
 * due by time t. The scheduler only asks; it never computes pacing itself.
 *
 * A schedule is a list of segments; within one the rate moves linearly from `fromRate` to
 * `toRate` (equal for a constant rate, so a stepped ramp is a list of constant segments). The
 * cumulative arrival count A(t) is the integral of the rate; hit i is due at the t where
 * A(t) = i + offset. Over a segment of D seconds starting at rate r0 with slope k = (r1 - r0) / D:
 *
 *   A(tau) = r0 * tau + k * tau^2 / 2         and its inverse     tau(a) = 2a / (r0 + sqrt(r0^2 + 2ka))
 *
 * (the second form of the quadratic root, stable for k = 0 and for falling rates).
 *
 * `offset` in [0, 1) interleaves workers: worker w of W runs the rate R/W with offset w/W, so that
 * together they produce hit k of the global schedule at k/R, and the total over all workers is
 * exactly ceil(R * T) (see the property test).
 */

export interface RateSegment {
  /** length of the segment in ms */
  durationMs: number;
  /** rate at the start of the segment, requests/s */
  fromRate: number;
  /** rate at the end of the segment, requests/s (= fromRate for a constant rate) */
  toRate: number;
}

interface PreparedSegment extends RateSegment {
  startMs: number;
  /** arrivals accumulated before this segment starts */
  arrivalsBefore: number;
  /** arrivals within this segment */
  arrivals: number;
}

/** Rounds away float noise so that 4999.999999999 and 5000.000000001 both count as 5000. */
const settle = (value: number): number => Math.round(value * 1e9) / 1e9;

/**
 * The segments with each run of constant segments at one rate made one (a warm-up and the run
 * after it at its rate): the same arrivals, and no segment change for the scheduler's search to
 * meet mid-run, which V8 met as code it never ran and threw the compiled scheduler away for.
 */
function coalesced(segments: readonly RateSegment[]): RateSegment[] {
  const out: RateSegment[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    const constantAtOneRate =
      last !== undefined && last.fromRate === last.toRate && segment.fromRate === segment.toRate && last.toRate === segment.fromRate;
    if (constantAtOneRate) out[out.length - 1] = { ...last, durationMs: last.durationMs + segment.durationMs };
    else out.push(segment);
  }
  return out;
}

export class ArrivalSchedule {
  /** number of hits in the whole schedule */
  readonly totalHits: number;
  /** length of the whole schedule in ms */
  readonly durationMs: number;
  private readonly segments: PreparedSegment[];
  private readonly offset: number;
  /** index of the segment the last query fell in; queries are nearly always monotone */
  private cursor = 0;

  constructor(segments: readonly RateSegment[], offset = 0) {
    if (!(offset >= 0 && offset < 1)) throw new RangeError(`offset must be in [0, 1), got ${offset}`);
    this.offset = offset;
    let startMs = 0;
    let arrivalsBefore = 0;
    for (const segment of segments)
      if (!(segment.durationMs >= 0) || !(segment.fromRate >= 0) || !(segment.toRate >= 0)) {
        throw new RangeError(`segment needs durationMs >= 0 and rates >= 0: ${JSON.stringify(segment)}`);
      }
    this.segments = coalesced(segments).map((segment) => {
      const arrivals = ((segment.fromRate + segment.toRate) / 2) * (segment.durationMs / 1000);
      const prepared = { ...segment, startMs, arrivalsBefore, arrivals };
      startMs += segment.durationMs;
      arrivalsBefore += arrivals;
      return prepared;
    });
    this.durationMs = startMs;
    this.totalHits = Math.max(0, Math.ceil(settle(arrivalsBefore - offset)));
  }

  /** Cumulative arrivals A(t) at elapsed ms. */
  arrivalsAt(elapsedMs: number): number {
    if (elapsedMs <= 0 || this.segments.length === 0) return 0;
    const segment = this.segments[this.segmentAtTime(elapsedMs)]!;
    const tau = Math.min(elapsedMs - segment.startMs, segment.durationMs) / 1000;
    const slope = segment.durationMs > 0 ? (segment.toRate - segment.fromRate) / (segment.durationMs / 1000) : 0;
    return segment.arrivalsBefore + segment.fromRate * tau + (slope * tau * tau) / 2;
  }

  /** How many hits are due at or before elapsed ms (never more than totalHits). */
  hitsDueBy(elapsedMs: number): number {
    if (elapsedMs < 0) return 0;
    const due = Math.floor(settle(this.arrivalsAt(elapsedMs) - this.offset)) + 1;
    return Math.min(this.totalHits, Math.max(0, due));
  }

  /** Due time of hit `index` (0-based) in ms since the schedule's start. */
  dueTimeMs(index: number): number {
    if (!(index >= 0 && index < this.totalHits)) throw new RangeError(`hit ${index} is outside 0..${this.totalHits - 1}`);
    const target = index + this.offset;
    const segment = this.segments[this.segmentAtArrival(target)]!;
    const within = Math.max(0, target - segment.arrivalsBefore);
    const r0 = segment.fromRate;
    const slope = segment.durationMs > 0 ? (segment.toRate - r0) / (segment.durationMs / 1000) : 0;
    const root = Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * within));
    const tau = within === 0 ? 0 : (2 * within) / (r0 + root);
    return segment.startMs + Math.min(tau * 1000, segment.durationMs);
  }

  /**
   * The segment containing elapsed ms. Queries are nearly always monotone, so the search starts
   * at the last answer (the cursor) and moves back only when asked about an earlier time. Plain
   * loops, no closures: this runs twice per request.
   */
  private segmentAtTime(elapsedMs: number): number {
    const segments = this.segments;
    const last = segments.length - 1;
    let i = this.cursor;
    while (i > 0 && elapsedMs < segments[i]!.startMs) i--;
    while (i < last && elapsedMs >= segments[i]!.startMs + segments[i]!.durationMs) i++;
    this.cursor = i;
    return i;
  }

  /** The segment where cumulative arrivals reach `target`; segments without arrivals are skipped. */
  private segmentAtArrival(target: number): number {
    const segments = this.segments;
    const last = segments.length - 1;
    let i = this.cursor;
    while (i > 0 && target < segments[i]!.arrivalsBefore) i--;
    while (i < last && (segments[i]!.arrivals === 0 || target >= settle(segments[i]!.arrivalsBefore + segments[i]!.arrivals))) i++;
    this.cursor = i;
    return i;
  }
}

/** A constant rate for a duration, split for worker `workerIndex` of `workerCount`. */
export function workerShare(segments: readonly RateSegment[], workerIndex: number, workerCount: number): ArrivalSchedule {
  const scaled = segments.map((segment) => ({
    durationMs: segment.durationMs,
    fromRate: segment.fromRate / workerCount,
    toRate: segment.toRate / workerCount,
  }));
  return new ArrivalSchedule(scaled, workerIndex / workerCount);
}

/** Splits a whole number (clients, a request budget) across workers so the shares add up exactly. */
export function shareOf(total: number, workerIndex: number, workerCount: number): number {
  return Math.floor(total / workerCount) + (workerIndex < total % workerCount ? 1 : 0);
}
