/**
 * --metrics as the command uses it: the run's metrics and their server, bound before any load,
 * fed by the interval listener, closed after the summary (see MetricsServer.close for the linger).
 */
import type { MetricsPlan } from '../plan/live-plan.js';
import type { RunListener } from '../run/contract.js';
import { MetricsServer } from './metrics-server.js';
import { RunMetrics, type RunMetricsOptions } from './run-metrics.js';

export interface MetricsEndpoint extends RunListener {
  /** http://host:port/metrics, the port the one bound */
  url: string;
  /** once the summary is printed: after a scrape of the final figures or the linger, at most */
  close(): Promise<void>;
}

/** Listens on the plan's address; throws ListenError (one line) when it cannot. */
export async function openMetricsEndpoint(plan: MetricsPlan, options: RunMetricsOptions): Promise<MetricsEndpoint> {
  const metrics = new RunMetrics(options);
  const server = await MetricsServer.listen('--metrics', plan.address, () => metrics.exposition());
  return {
    url: server.url,
    interval: metrics.interval,
    ended: () => server.figuresFinal(),
    close: () => server.close(plan.lingerMs),
  };
}
