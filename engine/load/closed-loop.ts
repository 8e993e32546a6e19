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
import type { WorkerMix } from './endpoint-mix.js';

export class ClosedLoopClients implements LoadGenerator {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private remainingBudget: number;
  private activeClients = 0;
  private stopped = false;
  /** requests this worker has sent: the index of the next in its share of the mix */
  private sent = 0;

  constructor(
    private readonly clients: number,
    /** requests this worker may send in all; null for no limit */
    requestBudget: number | null,
    /** run-clock ms after which no client starts another request; null for no limit */
    private readonly endMs: number | null,
    private readonly sender: HttpSender,
    private readonly recorder: IntervalRecorder,
    private readonly clock: () => number,
    /**
     * which endpoint of a mix each request goes to, by its index among this worker's: with a
     * request count, shared out by pacer.ts's shareOf, the workers together send exactly the
     * first --requests of the global sequence; null: no mix
     */
    private readonly mix: WorkerMix | null = null,
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
    const endpoint = this.mix === null ? 0 : this.mix.endpointOf(this.sent);
    this.sent++;
    this.sender.send(nowMs, 0, this.sendNext, true, nowMs, endpoint);
  };
}
