/**
 * The open-loop dispatcher of one worker. Requests leave at the absolute due times of an
 * `ArrivalSchedule`, whatever the server does: the timer is always set for the next due time
 * measured from the run's start, so lateness never accumulates, and when the scheduler wakes
 * late it sends everything that is due at once, recording how late each one was. A request due
 * while the in-flight cap is reached is counted as dropped, never queued.
 *
 * The schedule may begin before the measured start (clock 0) by the warm-up's `leadMs`: those
 * requests go out on schedule like the rest, so connections, the JIT and the server reach their
 * steady state, but what is recorded about them goes to the warm-up's own recorder, never
 * reported. They still run the recording code of a measured request: a warm-up that skipped it
 * left V8 to optimise the hot path without it, and the first measured requests threw that code
 * away (a third of the functions the worker compiled with TurboFan were compiled again after the
 * warm-up: the scheduler's tick five times).
 *
 * Each request goes out with the step its due time falls in, and after each batch the recorder is
 * told which steps the schedule has left behind: a step cannot close while requests due in it are
 * still to be issued.
 */
import type { HttpSender } from '../http/sender.js';
import type { ArrivalSchedule } from './pacer.js';
import type { IntervalRecorder } from '../measure/recorder.js';
import type { StepTimeline } from '../measure/step-timeline.js';
import type { WorkerMix } from './endpoint-mix.js';

export interface LoadGenerator {
  start(): void;
  /** stops issuing new requests; in-flight ones are left to the sender */
  stop(): void;
  /** resolves when no more requests will be issued (schedule done or stopped) */
  readonly finished: Promise<void>;
}

/** Requests due before the measured start: how long before, and where their outcomes are recorded. */
export interface Warmup {
  leadMs: number;
  /** a recorder like the run's (same steps, same endpoints) that nothing reads */
  recorder: IntervalRecorder;
}

export class OpenLoopScheduler implements LoadGenerator {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private nextHit = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly schedule: ArrivalSchedule,
    private readonly sender: HttpSender,
    private readonly recorder: IntervalRecorder,
    /** the run's steps: which one each request is due in */
    private readonly timeline: StepTimeline,
    private readonly clock: () => number,
    /** most requests this worker keeps in flight */
    private readonly maxInflight: number,
    /** null: the schedule begins at the measured start (clock 0) */
    private readonly warmup: Warmup | null = null,
    /** which endpoint of a mix each request goes to, by its index in this worker's schedule; null: no mix */
    private readonly mix: WorkerMix | null = null,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  start(): void {
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.resolveFinished();
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.stopped) return;
    const { schedule, sender, recorder, timeline, clock, warmup } = this;
    const leadMs = warmup === null ? 0 : warmup.leadMs;
    const dueNow = schedule.hitsDueBy(clock() + leadMs);
    while (this.nextHit < dueNow) {
      // a dropped request takes its endpoint's turn too: the mix stays that of the schedule
      const endpoint = this.mix === null ? 0 : this.mix.endpointOf(this.nextHit);
      const dueMs = schedule.dueTimeMs(this.nextHit++) - leadMs;
      const measured = dueMs >= 0;
      const step = timeline.stepOf(dueMs);
      // without a warm-up nothing is due before 0
      const into = measured || warmup === null ? recorder : warmup.recorder;
      if (sender.inflightCount >= this.maxInflight) {
        into.recordDropped(step);
      } else {
        const nowMs = clock();
        into.recordSent(step, nowMs - dueMs);
        sender.send(dueMs, step, null, measured, nowMs, endpoint);
      }
    }
    if (this.nextHit >= schedule.totalHits) {
      this.stop();
      return;
    }
    const nextDueMs = schedule.dueTimeMs(this.nextHit) - leadMs;
    recorder.stepsIssued(timeline.stepsEndedBy(nextDueMs));
    // setTimeout cannot wait less than 1 ms; what is due meanwhile goes out in the next batch.
    this.timer = setTimeout(this.tick, Math.max(0, nextDueMs - clock()));
  };
}
