/**
 * What a worker thread that dies takes with it, so that the run's accounting still holds.
 *
 * Everything a worker reported before it died is kept: its snapshots are merged like any
 * other. What it had not reported yet (the interval in progress) is lost whole: requests that
 * were scheduled there and their outcomes together, so the totals stay balanced. What breaks the
 * balance is a request scheduled in a reported interval whose outcome was never reported: it is
 * in `scheduled` but in neither `requests` nor `dropped`. The ledger keeps that number, per
 * worker, from the snapshots themselves, and on the worker's death counts those requests as
 * `interrupted` (code STRESS_ERR_WORKER_LOST), in the interval after its last one. A load box
 * lost mid-run is accounted for the same way. The same holds step by step: the requests in flight
 * are kept per step they were due in (from the snapshots' step parts), and counted there, so the
 * steps still add up to the run. Pure.
 */
import { emptyStats, type IntervalStats } from '../measure/snapshot.js';

/** The error key under which requests lost with a worker are counted. */
export const WORKER_LOST_KEY = 'STRESS_ERR_WORKER_LOST';

export class WorkerLedger {
  /**
   * `stepCount`: the run's steps, all of which a lost source is done with. `lostCode`: the error
   * code its lost requests are counted under (null: none, as for a load box, whose losses are
   * reported apart).
   */
  constructor(
    private readonly stepCount: number,
    private readonly lostCode: string | null = WORKER_LOST_KEY,
  ) {}

  /** scheduled - dropped - requests over every snapshot so far: in flight as of the last one */
  private inFlight = 0;
  /** the same, by the step the requests were due in */
  private readonly inFlightByStep = new Map<number, number>();
  private last: Pick<IntervalStats, 'interval' | 'phase' | 'endMs'> | null = null;

  /** Notes one snapshot of this worker (decoded), in the order they arrive. */
  add(stats: IntervalStats): void {
    const { scheduled, dropped, requests } = stats.counts;
    this.inFlight += scheduled - dropped - requests;
    for (const part of stats.steps) {
      const { scheduled, dropped, requests } = part.counts;
      this.inFlightByStep.set(part.phase, (this.inFlightByStep.get(part.phase) ?? 0) + scheduled - dropped - requests);
    }
    if (this.last === null || stats.interval >= this.last.interval)
      this.last = { interval: stats.interval, phase: stats.phase, endMs: stats.endMs };
  }

  /** Requests in flight as of the last snapshot. */
  get outstanding(): number {
    return this.inFlight;
  }

  /**
   * The worker died: its unreported requests as `interrupted` failures, in an empty interval at
   * the end of its last one (numbered after it, which the merger cannot have emitted yet, since
   * it waits for this worker), each in the step it was due in. The source closes every step with
   * it: nothing more will come from it. Null when nothing was outstanding.
   */
  lost(): IntervalStats | null {
    if (this.last === null || this.inFlight <= 0) return null;
    const stats = this.interrupted(this.inFlight, this.last.phase);
    stats.stepsClosed = this.stepCount;
    for (const [step, inFlight] of this.inFlightByStep) if (inFlight > 0) stats.steps.push(this.interrupted(inFlight, step));
    this.inFlight = 0;
    this.inFlightByStep.clear();
    return stats;
  }

  /** `count` requests ended as interrupted, at the end of the last interval, in `phase`. */
  private interrupted(count: number, phase: number): IntervalStats {
    const { interval, endMs } = this.last!;
    const stats = emptyStats(interval + 1, phase, endMs, endMs);
    stats.sources = 1;
    stats.counts.requests = count;
    stats.counts.failure = count;
    stats.errors.interrupted = count;
    if (this.lostCode !== null) stats.errorCodes[this.lostCode] = count;
    return stats;
  }
}
