/**
 * Where the reporting intervals of a run fall. Pure. Intervals restart at every phase boundary, so
 * no interval straddles two ramp steps, and every worker (and every load box) cuts the run at the
 * same instants and numbers the pieces the same way: merging is by interval number, not by arrival.
 */

export interface IntervalBounds {
  /** interval number since the start of the run */
  interval: number;
  /** phase (ramp step) the interval lies in */
  phase: number;
  /** ms since the start of the run */
  startMs: number;
  endMs: number;
}

/** Intervals of at most `intervalMs` covering phases of the given lengths, back to back. */
export function intervalBounds(phaseDurationsMs: readonly number[], intervalMs: number): IntervalBounds[] {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const bounds: IntervalBounds[] = [];
  let phaseStartMs = 0;
  phaseDurationsMs.forEach((durationMs, phase) => {
    const phaseEndMs = phaseStartMs + durationMs;
    for (let startMs = phaseStartMs; startMs < phaseEndMs; startMs += intervalMs) {
      bounds.push({ interval: bounds.length, phase, startMs, endMs: Math.min(startMs + intervalMs, phaseEndMs) });
    }
    phaseStartMs = phaseEndMs;
  });
  return bounds;
}

/**
 * The interval after `previous` while the run drains past its planned end: same length, same
 * phase as the last one. Only the interval's time is in that phase: the late answers it holds are
 * counted, in its step parts, in the step each request was due in.
 */
export function nextDrainInterval(previous: IntervalBounds, intervalMs: number): IntervalBounds {
  return { interval: previous.interval + 1, phase: previous.phase, startMs: previous.endMs, endMs: previous.endMs + intervalMs };
}
