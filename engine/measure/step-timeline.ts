/**
 * Which step of a run a request belongs to, and when a step is closed. Pure.
 *
 * A request belongs to the step its due time falls in, whenever it ends: the slowest answers of a
 * breaking step are the ones that must count against it, not against the next step. Steps are the
 * run's phases, back to back, each the half-open span [start, end) of the run's clock (ms since
 * the measured start), so a request due exactly at a boundary belongs to the step that begins
 * there. A run without phases (a closed loop bound by a request count) is one endless step.
 *
 * A worker's step is closed once nothing about it can change any more: its planned end has
 * passed, the scheduler has issued every request due in it, and none of those requests is still
 * in flight. Steps close in order, so a source reports one number: how many steps it has closed.
 */

export class StepTimeline {
  /** how many steps the run has: one per phase, at least one */
  readonly count: number;
  /** end of each step, ms; the last one of a run without phases never ends */
  private readonly ends: number[];
  /** the step of the last due time asked about: due times nearly always rise */
  private cursor = 0;
  /** the answer of the last stepsEndedBy */
  private endedCursor = 0;

  constructor(phaseDurationsMs: readonly number[]) {
    this.ends = [];
    let endMs = 0;
    for (const durationMs of phaseDurationsMs) {
      endMs += durationMs;
      this.ends.push(endMs);
    }
    if (this.ends.length === 0) this.ends.push(Number.POSITIVE_INFINITY);
    this.count = this.ends.length;
  }

  /**
   * The step a request due at `dueMs` belongs to. Before the start it is the first step, after the
   * planned end the last (a closed loop's last request may start a little late). Plain loops and a
   * cursor: this runs once per request.
   */
  stepOf(dueMs: number): number {
    const ends = this.ends;
    const last = ends.length - 1;
    let step = this.cursor;
    while (step > 0 && dueMs < ends[step - 1]!) step--;
    while (step < last && dueMs >= ends[step]!) step++;
    this.cursor = step;
    return step;
  }

  /**
   * How many steps have ended by `ms` (their planned end is at or before it). The scheduler asks
   * after every batch: a cursor, as in stepOf, not a walk from the first step each time.
   */
  stepsEndedBy(ms: number): number {
    const ends = this.ends;
    let ended = this.endedCursor;
    while (ended > 0 && ends[ended - 1]! > ms) ended--;
    while (ended < ends.length && ends[ended]! <= ms) ended++;
    this.endedCursor = ended;
    return ended;
  }
}

/**
 * How many steps are closed, counting on from `closedBefore` steps known closed: a step closes
 * when it is below `closable` (its planned end has passed and all its requests were issued) and
 * `inflight[step]` (its requests sent and not yet ended; absent: none) is down to zero. A step that
 * cannot close holds back every step after it.
 */
export function closedSteps(closedBefore: number, closable: number, inflight: readonly number[]): number {
  let closed = closedBefore;
  while (closed < closable && (inflight[closed] ?? 0) <= 0) closed++;
  return closed;
}
