/**
 * How long to wait before the next connection attempt after one failed, so that a refused port
 * (or a machine out of file descriptors) does not turn the generator into a tight loop of
 * connect() calls: a closed loop would retry the instant each refusal arrives and burn every
 * core, an open loop would make one attempt per due request. Pure: times are passed in, in ms
 * of any one monotonic clock.
 *
 * The wait doubles with each failed attempt, from `baseMs` up to `maxMs`, and any connection
 * that opens resets it. Many requests fail together when one attempt fails (every request that
 * waited for it), so only the first failure after a wait has ended counts as a new attempt.
 */

export class ConnectBackoff {
  private attempts = 0;
  private waitUntilMs = Number.NEGATIVE_INFINITY;

  constructor(
    /** the first wait, ms */
    private readonly baseMs: number,
    /** the longest wait, ms */
    private readonly maxMs: number,
  ) {
    if (!(baseMs > 0 && maxMs >= baseMs)) throw new RangeError(`backoff needs 0 < baseMs <= maxMs, got ${baseMs}, ${maxMs}`);
  }

  /** True while new attempts must wait. */
  waiting(nowMs: number): boolean {
    return nowMs < this.waitUntilMs;
  }

  /** When the current wait ends (ms); -Infinity when there is none. */
  get until(): number {
    return this.waitUntilMs;
  }

  /** A connection attempt failed at `nowMs`; returns when the next may start. */
  failed(nowMs: number): number {
    // a failure during a wait belongs to an attempt made before the wait began
    if (this.waiting(nowMs)) return this.waitUntilMs;
    this.attempts++;
    this.waitUntilMs = nowMs + this.delayMs(this.attempts);
    return this.waitUntilMs;
  }

  /** A connection opened: the target is reachable again, no more waiting. */
  succeeded(): void {
    this.attempts = 0;
    this.waitUntilMs = Number.NEGATIVE_INFINITY;
  }

  /** The wait after `attempts` failed attempts in a row (1, 2, ...). */
  delayMs(attempts: number): number {
    // 2^30 would already exceed any maxMs in use; capping the exponent keeps the product finite
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  }
}

/** Backoff bounds for a sender whose requests have a total deadline of `timeoutMs`. */
export function backoffFor(timeoutMs: number): ConnectBackoff {
  // Waiting requests must get their attempt well inside their deadline, or a refusal would be
  // counted as a timeout: at most a quarter of it, and never more than 1 s, so a target that
  // comes back is noticed within a second.
  const maxMs = Math.max(1, Math.min(1000, timeoutMs / 4));
  return new ConnectBackoff(Math.min(10, maxMs), maxMs);
}
