/**
 * The bucket bounds of the latency histograms: from 50 µs up to the request timeout, 1.3 to 1.7
 * apart (1, 1.5, 2, 3, 5, 7 in each decade). Readable bounds (`le="0.0015"`) for the people who
 * read them in Grafana, and close enough that `histogram_quantile`, which interpolates within a
 * bucket, errs by less than half a bucket. A latency from due time may pass the timeout (a request
 * sent late); it is still counted, under +Inf. Pure.
 */

/** The lowest bound, µs: below it is loopback's own floor, where no server is judged. */
export const LOWEST_BOUND_US = 50;

const STEPS_PER_DECADE = [1, 1.5, 2, 3, 5, 7] as const;

/** Bounds in µs, integers, ascending: from 50 µs to the first at or above `timeoutMs`. */
export function latencyBoundsUs(timeoutMs: number): number[] {
  const highestUs = Math.max(LOWEST_BOUND_US, timeoutMs * 1000);
  const bounds: number[] = [];
  for (let decade = 10; ; decade *= 10) {
    for (const step of STEPS_PER_DECADE) {
      const bound = Math.round(step * decade);
      if (bound < LOWEST_BOUND_US) continue;
      bounds.push(bound);
      if (bound >= highestUs) return bounds;
    }
  }
}
