/**
 * The flags of what watches a run while it lasts: `--metrics ADDR` (a Prometheus endpoint) and
 * `--metrics-linger`, validated into the plan's `metrics` part, every problem at once.
 *
 * A port alone binds loopback: nothing the run exposes reaches another machine unless the user
 * names an address that does (common/listen-address.ts). Pure.
 */
import { parseListenAddress, type ListenAddress } from '../../common/listen-address.js';
import { parseDurationMs, UnitError } from '../../common/units.js';
import type { FlagValues } from './flags.js';

/** The Prometheus endpoint of a run. */
export interface MetricsPlan {
  address: ListenAddress;
  /**
   * After the summary, the endpoint stays up until it has served one scrape of the final figures,
   * at most this long, ms (0: it closes with the summary).
   */
  lingerMs: number;
}

/** Longest --metrics-linger: a few scrape intervals of the slowest usual setting (1 min). */
const MAX_LINGER_MS = 10 * 60_000;

export function metricsPlan(raw: Pick<FlagValues, 'metrics' | 'metricsLinger'>, problems: string[]): MetricsPlan | null {
  let lingerMs = 0;
  if (raw.metricsLinger !== undefined) {
    try {
      lingerMs = parseDurationMs(raw.metricsLinger, '--metrics-linger');
      if (lingerMs > MAX_LINGER_MS) problems.push(`--metrics-linger: "${raw.metricsLinger}" must be at most 10m`);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push(error.message);
    }
    if (raw.metrics === undefined) problems.push('--metrics-linger needs --metrics ADDR (it keeps that endpoint up after the summary)');
  }
  if (raw.metrics === undefined) return null;
  // Prometheus is told where to scrape: a value must say at least the port (or a host, for a free port)
  const address =
    raw.metrics.trim() === ''
      ? '--metrics needs an address: PORT, HOST:PORT or [IPV6]:PORT'
      : parseListenAddress(raw.metrics.trim(), '--metrics');
  if (typeof address === 'string') {
    problems.push(address);
    return null;
  }
  return { address, lingerMs };
}
