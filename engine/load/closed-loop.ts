/**
 * Closed-loop virtual clients: each sends its next request as soon as the previous one ends,
 * the original tool's load test ("x clients"). The request budget is shared by this worker's
 * clients; a duration ends them all. There is no schedule to be late against, so latency here is
 * service time and scheduler lag is zero by definition; the report says closed loop. A closed
 * loop is one phase, so every request is due in its one step.
 */
import type { HttpSender } from '../http/sender.js';
import type { IntervalRecorder } from '../measure/recorder.js';
import type { LoadGenerator } from './scheduler.js';

export class ClosedLoopClients implements LoadGenerator {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private remainingBudget: number;
  private activeClients = 0;
  private stopped = false;

  constructor(
    private readonly clients: number,
    /** requests this worker may send in all; null for no limit */
    requestBudget: number | null,
    /** run-clock ms after which no client starts another request; null for no limit */
    private readonly endMs: number | null,
    private readonly sender: HttpSender,
    private readonly recorder: IntervalRecorder,
    private readonly clock: () => number,
  ) {
    this.remainingBudget = requestBudget ?? Number.POSITIVE_INFINITY;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  start(): void {
    for (let i = 0; i < this.clients; i++) {
      this.activeClients++;
      this.sendNext();
    }
    if (this.activeClients === 0) this.resolveFinished();
  }

  stop(): void {
    this.stopped = true;
    this.resolveFinished();
  }

  /** Shared by all clients: one bound function, no closure per request. */
  private readonly sendNext = (): void => {
    const nowMs = this.clock();
    if (this.stopped || this.remainingBudget <= 0 || (this.endMs !== null && nowMs >= this.endMs)) {
      if (--this.activeClients === 0) this.resolveFinished();
      return;
    }
    this.remainingBudget--;
    this.recorder.recordSent(0, 0);
    this.sender.send(nowMs, 0, this.sendNext);
  };
}
