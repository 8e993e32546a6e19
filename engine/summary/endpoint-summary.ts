/**
 * A request mix's figures by endpoint, from the run's merged endpoint tallies: exact counts and
 * percentiles of the merged histograms (never averaged across workers or boxes). Pure.
 */
import type { EndpointStats, ErrorClass } from '../measure/snapshot.js';
import { emptyEndpoint } from '../measure/snapshot.js';
import { percentile } from '../measure/statistics.js';

export interface EndpointSummary {
  name: string;
  /** requests that ended: success + failure */
  requests: number;
  success: number;
  failure: number;
  errors: Partial<Record<ErrorClass, number>>;
  /** latency from due time of its successful requests, ms; null: none succeeded */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /** response body bytes */
  bytes: number;
}

/** Every endpoint of the mix in the order of the targets file, one that ended no request with zeros. */
export function endpointSummaries(names: readonly string[], merged: readonly EndpointStats[]): EndpointSummary[] {
  return names.map((name, index) => {
    const stats = merged.find((part) => part.endpoint === index) ?? emptyEndpoint(index);
    const at = (p: number) => percentile(stats.latencyUs, p, 1000);
    return {
      name,
      requests: stats.requests,
      success: stats.success,
      failure: stats.failure,
      errors: { ...stats.errors },
      latencyMs: { p50: at(50), p90: at(90), p99: at(99), max: at(100) },
      bytes: stats.bodyBytes,
    };
  });
}
