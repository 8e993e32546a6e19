/**
 * Holds requests back while connections cannot be opened, so that a refused port (or a machine
 * out of file descriptors) costs one connection attempt per back-off period instead of one per
 * request, and a closed loop cannot spin: without it each client retries the instant its refusal
 * arrives, and against 127.0.0.1 that is every core at 100%.
 *
 * Open: requests go straight to the pool. When a request fails with its connection attempt
 * (`refused`, `generator`, or `tls`: a refused handshake), the gate closes for a back-off period
 * (connect-backoff.ts); requests submitted meanwhile wait here, still in flight (they count against the in-flight cap and
 * keep their deadline). When the period ends, the oldest waiting request goes out alone as
 * the probe. If its connection opens (or any connection does), the gate opens and everyone
 * waiting is sent. If its attempt fails, everyone waiting fails with the same class, as undici
 * fails every request queued on a connection whose connect failed, and the next period is
 * twice as long. If it ends any other way (deadline, stop), the gate opens and the rest try
 * for themselves. The probe also goes out early once `holdLimit` requests wait: at a high rate a
 * whole period of held requests would fill the in-flight cap, and the refusals would be counted
 * as drops at the cap, as if the generator had been the limit.
 */
import { backoffFor, type ConnectBackoff } from './connect-backoff.js';
import type { ErrorClass } from '../measure/snapshot.js';

/** The classes of a connection attempt that failed before any byte was sent. */
const CONNECT_FAILURES: ReadonlySet<ErrorClass> = new Set<ErrorClass>(['refused', 'generator', 'tls']);

/** What the gate does to requests; the sender owns them. */
export interface GateActions<T> {
  /** hand the request to the pool */
  dispatch(request: T): void;
  /** settle the request as failed (it must reach `ended` no more) */
  fail(request: T, errorClass: ErrorClass, errorKey: string): void;
  /** true once the request has ended (by its deadline, say) while it waited */
  isSettled(request: T): boolean;
}

/** setTimeout and clearTimeout, injectable so that tests need not sleep. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class ConnectGate<T> {
  private readonly backoff: ConnectBackoff;
  private waiting: T[] = [];
  private closed = false;
  private probe: T | null = null;
  private timer: unknown = null;

  constructor(
    /** the requests' total deadline, ms: the back-off stays well inside it */
    timeoutMs: number,
    private readonly clock: () => number,
    private readonly actions: GateActions<T>,
    /** most requests held before the probe goes out early */
    private readonly holdLimit = Number.POSITIVE_INFINITY,
    private readonly timers: Timers = REAL_TIMERS,
  ) {
    this.backoff = backoffFor(timeoutMs);
  }

  /** Requests held back now. */
  get held(): number {
    return this.waiting.length;
  }

  /** True while requests are held back. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** A new request: sent at once, or held while the gate is closed. */
  submit(request: T): void {
    if (!this.closed) {
      this.actions.dispatch(request);
      return;
    }
    this.waiting.push(request);
    if (this.probe === null && this.waiting.length >= this.holdLimit) {
      if (this.timer !== null) this.timers.clear(this.timer);
      this.sendProbe();
    }
  }

  /** A request got onto a connection: the target is reachable. Called once per request, so cheap when open. */
  connected(): void {
    this.backoff.succeeded();
    if (this.closed) this.open();
  }

  /** `request` failed before it reached a socket, with this class; only connection failures close the gate. */
  attemptFailed(request: T, errorClass: ErrorClass, errorKey: string): void {
    if (!CONNECT_FAILURES.has(errorClass)) return;
    const nowMs = this.clock();
    // During a wait, only the probe's failure is news: other failures come from attempts made
    // before the wait began, and the requests held meanwhile wait for the next attempt.
    const news = request === this.probe || !this.backoff.waiting(nowMs);
    const untilMs = this.backoff.failed(nowMs);
    this.closed = true;
    if (this.timer === null && (news || this.probe === null)) this.timer = this.timers.set(this.sendProbe, Math.max(0, untilMs - nowMs));
    if (!news) return;
    this.probe = null;
    // Swapped out first: a failed closed-loop client submits its next request at once, and that
    // one must wait for the next attempt, not fail with this one.
    const waiting = this.waiting;
    this.waiting = [];
    for (const request of waiting) if (!this.actions.isSettled(request)) this.actions.fail(request, errorClass, errorKey);
  }

  /** A request was settled; when it was the probe and its attempt neither opened nor failed, stop holding. */
  ended(request: T): void {
    if (request === this.probe) this.open();
  }

  /** Forgets everything held (the sender settles them) and cancels the timer. */
  close(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.waiting = [];
    this.closed = false;
    this.probe = null;
  }

  private readonly sendProbe = (): void => {
    this.timer = null;
    const first = this.waiting.findIndex((request) => !this.actions.isSettled(request));
    if (first < 0) {
      // nobody waits: the next request makes the attempt itself
      this.waiting = [];
      this.closed = false;
      return;
    }
    this.probe = this.waiting[first]!;
    this.waiting = this.waiting.slice(first + 1);
    this.actions.dispatch(this.probe);
  };

  private open(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.closed = false;
    this.probe = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (const request of waiting) if (!this.actions.isSettled(request)) this.actions.dispatch(request);
  }
}
