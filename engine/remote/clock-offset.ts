/**
 * How far a load box's clock is from the controller's, from ping round trips over the ssh
 * channel. Pure.
 *
 * A ping leaves at `sentMs` (controller clock), the agent stamps `remoteMs` (its clock) and the
 * pong arrives at `receivedMs`. If the two legs took equally long, the agent stamped at the
 * controller's midpoint, so
 *
 *   offset = remoteMs - (sentMs + receivedMs) / 2         (agent clock = controller clock + offset)
 *
 * and whatever the legs really took, the true offset lies within +- rtt / 2 of it. The sample with
 * the smallest round trip has the tightest bound (it waited least in buffers and schedulers), so
 * it is the one used: NTP's minimum-delay filter, on a handful of samples.
 */
import type { ClockOffset } from '../run/contract.js';

export interface PingSample {
  /** controller clock when the ping was written, ms */
  sentMs: number;
  /** agent clock when it answered, ms */
  remoteMs: number;
  /** controller clock when the pong was read, ms */
  receivedMs: number;
}

export type { ClockOffset };

/** The estimate from the sample with the smallest round trip; null without a usable sample. */
export function estimateOffset(samples: readonly PingSample[]): ClockOffset | null {
  let best: PingSample | null = null;
  for (const sample of samples) {
    const rtt = sample.receivedMs - sample.sentMs;
    // a negative round trip is a broken sample (a clock stepped between send and receive)
    if (!(rtt >= 0) || !Number.isFinite(sample.remoteMs)) continue;
    if (best === null || rtt < best.receivedMs - best.sentMs) best = sample;
  }
  if (best === null) return null;
  const rttMs = best.receivedMs - best.sentMs;
  return { offsetMs: best.remoteMs - (best.sentMs + best.receivedMs) / 2, rttMs, uncertaintyMs: rttMs / 2 };
}

/** An instant on the controller's clock, on the agent's clock. */
export function toAgentClock(controllerMs: number, offset: ClockOffset): number {
  return controllerMs + offset.offsetMs;
}

/** The worst figures over all boxes, for the report: largest absolute offset, largest uncertainty. */
export function worstOffset(offsets: readonly ClockOffset[]): { offsetMs: number; uncertaintyMs: number } {
  let offsetMs = 0;
  let uncertaintyMs = 0;
  for (const offset of offsets) {
    if (Math.abs(offset.offsetMs) > Math.abs(offsetMs)) offsetMs = offset.offsetMs;
    uncertaintyMs = Math.max(uncertaintyMs, offset.uncertaintyMs);
  }
  return { offsetMs, uncertaintyMs };
}
