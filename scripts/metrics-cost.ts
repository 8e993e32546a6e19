/**
 * `node dist/scripts/metrics-cost.js`: what --metrics costs the primary thread, without a network
 * and without the noise of a shared machine's load runs: one merged interval of 20,000 requests
 * (latencies spread from 200 µs to 200 ms) added to the metrics, and one scrape's text made,
 * each timed over many repetitions. Both happen once per interval (a scrape once per scrape
 * interval), never per request; the figure per request is the interval's cost over its requests.
 */
import { performance } from 'node:perf_hooks';
import { emptyStats } from '../engine/measure/snapshot.js';
import { RunMetrics } from '../engine/metrics/run-metrics.js';

const REQUESTS_PER_INTERVAL = 20_000;
const REPETITIONS = 2000;

/** A merged interval like one second at 20,000 req/s: every request succeeded, latencies log-spread. */
function busyInterval(number: number): ReturnType<typeof emptyStats> {
  const stats = emptyStats(number, 0, number * 1000, (number + 1) * 1000);
  stats.sources = 1;
  Object.assign(stats.counts, {
    scheduled: REQUESTS_PER_INTERVAL,
    requests: REQUESTS_PER_INTERVAL,
    responses: REQUESTS_PER_INTERVAL,
    success: REQUESTS_PER_INTERVAL,
    bodyBytes: 20 * REQUESTS_PER_INTERVAL,
    generatorBusyMs: 400,
    generatorObservedMs: 1000,
  });
  for (let index = 0; index < REQUESTS_PER_INTERVAL; index++) {
    // 200 µs .. 200 ms, evenly on a log scale: the widest spread of slots an interval walks
    const latencyUs = Math.round(200 * 1000 ** (index / REQUESTS_PER_INTERVAL));
    stats.histograms.latencyUs.recordValue(latencyUs);
    stats.histograms.serviceUs.recordValue(latencyUs);
    stats.histograms.lagUs.recordValue(index % 500);
  }
  return stats;
}

async function main(): Promise<void> {
  const metrics = new RunMetrics({ timeoutMs: 10_000, intervalMs: 1000, openLoop: true });
  const intervals = Array.from({ length: 10 }, (_, index) => busyInterval(index));
  // warm: the JIT compiles both paths before they are timed
  for (let index = 0; index < 200; index++)
    metrics.interval(intervals[index % intervals.length]!, undefined, { step: 0, offeredRate: 20_000 });
  for (let index = 0; index < 50; index++) await metrics.exposition();

  let started = performance.now();
  for (let index = 0; index < REPETITIONS; index++)
    metrics.interval(intervals[index % intervals.length]!, undefined, { step: 0, offeredRate: 20_000 });
  const intervalUs = ((performance.now() - started) * 1000) / REPETITIONS;
  started = performance.now();
  let bytes = 0;
  for (let index = 0; index < REPETITIONS; index++) bytes = (await metrics.exposition()).text.length;
  const scrapeUs = ((performance.now() - started) * 1000) / REPETITIONS;
  process.stdout.write(
    [
      `one interval of ${REQUESTS_PER_INTERVAL} requests into the metrics: ${intervalUs.toFixed(1)} µs (${((intervalUs * 1000) / REQUESTS_PER_INTERVAL).toFixed(2)} ns per request)`,
      `one scrape's text (${bytes} bytes): ${scrapeUs.toFixed(1)} µs`,
      '',
    ].join('\n'),
  );
}

await main();
