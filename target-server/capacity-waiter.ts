/**
 * Puts a `CapacityGate` on real time. Requests that must wait are parked here with their
 * continuation; one timer, set for the moment the next token is due, releases everything
 * due when it fires. Since arrivals never move that moment earlier (see
 * `CapacityGate.nextReleaseAtMs`), the timer is set only when none is pending.
 */

import type { CapacityGate } from './capacity-gate.js';

const nothingToWithdraw = (): void => {};

export class CapacityWaiter {
  private readonly parked = new Map<number, () => void>();
  private timer: NodeJS.Timeout | undefined;

  /** `now` in ms, monotonic; injected so tests can drive it. */
  constructor(
    private readonly gate: CapacityGate,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Calls `proceed` when the request may go on (at once when a token is there) or `reject`
   * at once when the queue is full. Returns a function that withdraws a waiting request, for
   * when its client goes away; calling it after `proceed` ran does nothing.
   */
  admit(proceed: () => void, reject: () => void): () => void {
    const admission = this.gate.offer(this.now());
    if (admission.outcome === 'admitted') {
      proceed();
      return nothingToWithdraw;
    }
    if (admission.outcome === 'rejected') {
      reject();
      return nothingToWithdraw;
    }
    const { ticket } = admission;
    this.parked.set(ticket, proceed);
    this.arm();
    return () => {
      if (this.parked.delete(ticket)) this.gate.cancel(ticket);
    };
  }

  /** Drops the timer; parked requests stay parked (the server is closing them anyway). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    const dueMs = this.gate.nextReleaseAtMs();
    if (dueMs === undefined) return;
    // Node timers have 1 ms resolution and may fire a fraction of a ms before `dueMs` by
    // performance.now(); rounding up, then re-arming when nothing was due, avoids a spin.
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(dueMs - this.now())));
  }

  private fire(): void {
    this.timer = undefined;
    for (const ticket of this.gate.release(this.now())) {
      const proceed = this.parked.get(ticket);
      this.parked.delete(ticket);
      proceed?.();
    }
    this.arm();
  }
}
