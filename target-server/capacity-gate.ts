/**
 * The `--capacity R` model: a server that can start at most R requests per second.
 *
 * A token bucket refills at R tokens/s up to a small burst; a request takes one token to go
 * on. Without a token it waits in a bounded FIFO queue; when the queue is full it is rejected
 * at once (the server answers 503). So below R the latency stays flat (a token is nearly
 * always there), above R the queue fills and latency climbs to about `queueLimit / R` seconds,
 * and past that the excess is rejected: the shape of a real saturated server.
 *
 * Pure: time is passed in (ms, any monotonic origin), nothing here sleeps or sets timers. The
 * server sets one timer at `nextReleaseAtMs()` and calls `release()` when it fires.
 */

export interface CapacityGateOptions {
  /** tokens (requests) per second, > 0 */
  ratePerSecond: number;
  /** largest number of tokens the bucket holds, >= 1; default ~10 ms of rate, at least 1 */
  burst?: number;
  /** most requests that may wait for a token, >= 0; default 1 s of rate (R), at least 1 */
  queueLimit?: number;
}

export type Admission = { outcome: 'admitted' } | { outcome: 'queued'; ticket: number } | { outcome: 'rejected' };

/** Default burst: 10 ms worth of tokens, so the rate holds even over short windows. */
export function defaultBurst(ratePerSecond: number): number {
  return Math.max(1, Math.floor(ratePerSecond / 100));
}

/** Default queue: one second of capacity, so waiting never exceeds about 1 s. */
export function defaultQueueLimit(ratePerSecond: number): number {
  return Math.max(1, Math.round(ratePerSecond));
}

/**
 * Token arithmetic accumulates float error (0.1 + 0.2...), so a token that is due "now" may
 * show as 0.9999999999; count it as whole to avoid a zero-length timer spin.
 */
const WHOLE = 1 - 1e-9;

export class CapacityGate {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly queueLimit: number;
  private tokens: number;
  private lastRefillMs: number;
  private nextTicket = 1;
  /** waiting tickets in arrival order; a Set keeps insertion order and deletes in O(1) */
  private readonly waiting = new Set<number>();

  /** `nowMs` is the start time; the bucket starts full. */
  constructor(options: CapacityGateOptions, nowMs: number) {
    const { ratePerSecond } = options;
    if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) {
      throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    }
    const burst = options.burst ?? defaultBurst(ratePerSecond);
    const queueLimit = options.queueLimit ?? defaultQueueLimit(ratePerSecond);
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    if (!(Number.isInteger(queueLimit) && queueLimit >= 0)) {
      throw new RangeError(`queueLimit must be a whole number >= 0, got ${queueLimit}`);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.queueLimit = queueLimit;
    this.tokens = burst;
    this.lastRefillMs = nowMs;
  }

  /** Number of requests waiting for a token. */
  get queued(): number {
    return this.waiting.size;
  }

  /**
   * A request arrives at `nowMs`. It goes on at once when a token is there and nobody waits
   * before it (FIFO: a newcomer never overtakes the queue), waits when there is room in the
   * queue, and is rejected otherwise.
   */
  offer(nowMs: number): Admission {
    this.refill(nowMs);
    if (this.waiting.size === 0 && this.tokens >= WHOLE) {
      this.take();
      return { outcome: 'admitted' };
    }
    if (this.waiting.size >= this.queueLimit) return { outcome: 'rejected' };
    const ticket = this.nextTicket++;
    this.waiting.add(ticket);
    return { outcome: 'queued', ticket };
  }

  /** Tickets whose token is available at `nowMs`, oldest first; they leave the queue. */
  release(nowMs: number): number[] {
    this.refill(nowMs);
    const released: number[] = [];
    for (const ticket of this.waiting) {
      if (this.tokens < WHOLE) break;
      this.take();
      this.waiting.delete(ticket);
      released.push(ticket);
    }
    return released;
  }

  /** A waiting request went away (client closed); it leaves the queue without using a token. */
  cancel(ticket: number): boolean {
    return this.waiting.delete(ticket);
  }

  /**
   * When (ms, same origin as the inputs) the oldest waiting request gets its token, or
   * undefined when nobody waits. Only the token count matters, not which ticket is first,
   * so arrivals and cancellations never move it earlier.
   */
  nextReleaseAtMs(): number | undefined {
    if (this.waiting.size === 0) return undefined;
    if (this.tokens >= WHOLE) return this.lastRefillMs;
    return this.lastRefillMs + ((1 - this.tokens) * 1000) / this.ratePerSecond;
  }

  private take(): void {
    // Clamp so that a float-short token (see WHOLE) does not leave a negative balance.
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(nowMs: number): void {
    // A clock that steps back (it should not) must not drain the bucket.
    const elapsedMs = Math.max(0, nowMs - this.lastRefillMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
    this.lastRefillMs = Math.max(this.lastRefillMs, nowMs);
  }
}
