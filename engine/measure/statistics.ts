/**
 * Pure read-outs of merged histograms: percentiles, mean, mode. An empty histogram yields `null`
 * for every figure, never NaN, 0 or a sentinel, so reports can print `n/a`.
 */
import type { Histogram } from './histogram.js';
import { round } from '../../common/format.js';
import type { IntervalStats } from './snapshot.js';

export interface Distribution {
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** The distribution of a histogram of values in `unit`, divided by `scale` (1000 for µs -> ms). */
export function distribution(histogram: Histogram, scale = 1): Distribution {
  if (histogram.totalCount === 0) return { min: null, mean: null, p50: null, p90: null, p99: null, p999: null, max: null };
  // 100, not maxValue: after an encode/decode maxValue is the bucket top, so use that everywhere
  const [min, p50, p90, p99, p999, max] = histogram.valuesAtPercentiles([0, 50, 90, 99, 99.9, 100]).map((value) => round(value / scale));
  return { min: min!, mean: round(histogram.mean / scale), p50: p50!, p90: p90!, p99: p99!, p999: p999!, max: max! };
}

/** A single percentile, or null when nothing was recorded. */
export function percentile(histogram: Histogram, percent: number, scale = 1): number | null {
  return histogram.totalCount === 0 ? null : round(histogram.getValueAtPercentile(percent) / scale);
}

/**
 * The most frequent value at the histogram's resolution (3 significant digits): the original
 * tool's "Mode", which on exact values of a continuous quantity was mostly noise.
 */
export function mode(histogram: Histogram, scale = 1): number | null {
  return histogram.totalCount === 0 ? null : round(histogram.mode() / scale);
}

/** Median / mean / mode, the original tool's three figures. */
export function centralFigures(histogram: Histogram, scale = 1): { median: number | null; mean: number | null; mode: number | null } {
  if (histogram.totalCount === 0) return { median: null, mean: null, mode: null };
  return { median: percentile(histogram, 50, scale), mean: round(histogram.mean / scale), mode: mode(histogram, scale) };
}

/** Percentiles at the ticks of the usual HDR plot: halving the remaining tail each step, to 99.9999%. */
export const PERCENTILE_TICKS = [
  0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.975, 99.99, 99.995, 99.999, 99.9999, 100,
] as const;

/** One tick of a distribution: `percentile` in 0..100 (e.g. 99.9); latency from due time and service time. */
export interface PercentileRow {
  percentile: number;
  latencyMs: number | null;
  serviceMs: number | null;
}

/** The distribution of two histograms at the same ticks (e.g. latency and service time). */
export function percentileTable(first: Histogram, second: Histogram, scale = 1): PercentileRow[] {
  const ticks = (histogram: Histogram) =>
    histogram.totalCount === 0
      ? PERCENTILE_TICKS.map(() => null)
      : histogram.valuesAtPercentiles(PERCENTILE_TICKS).map((value) => round(value / scale));
  const latency = ticks(first);
  const service = ticks(second);
  return PERCENTILE_TICKS.map((tick, i) => ({ percentile: tick, latencyMs: latency[i] ?? null, serviceMs: service[i] ?? null }));
}

/**
 * The generator's own delay over merged stats, ms: its event loop's delay as met at a random
 * moment (p99 and max) and its garbage collection pauses (all of them together, summed over
 * workers, and the longest). All null when nothing was measured (stats from an older agent).
 */
export interface GeneratorDelay {
  loopP99: number | null;
  loopMax: number | null;
  gcPauseTotal: number | null;
  gcPauseMax: number | null;
}

export function generatorDelay(stats: Pick<IntervalStats, 'counts' | 'histograms'>): GeneratorDelay {
  const { loopDelayUs, gcPauseUs } = stats.histograms;
  if (loopDelayUs.totalCount === 0) return { loopP99: null, loopMax: null, gcPauseTotal: null, gcPauseMax: null };
  return {
    loopP99: percentile(loopDelayUs, 99, 1000),
    loopMax: percentile(loopDelayUs, 100, 1000),
    gcPauseTotal: round(stats.counts.gcPauseMs),
    gcPauseMax: percentile(gcPauseUs, 100, 1000) ?? 0,
  };
}

/**
 * How the run's connections were set up, apart from any request's latency: how many were opened
 * (ready to carry requests), their TCP connect and TLS handshake times (ms; all null when none was
 * timed), and how many agreed to each protocol (ALPN) and TLS version.
 */
export interface ConnectionSetup {
  opened: number;
  connectMs: Distribution;
  tlsHandshakeMs: Distribution;
  protocols: Record<string, number>;
  tlsVersions: Record<string, number>;
}

export function connectionSetup(stats: Pick<IntervalStats, 'histograms' | 'protocols' | 'tlsVersions'>): ConnectionSetup {
  const { connectUs, tlsHandshakeUs } = stats.histograms;
  return {
    opened: connectUs.totalCount,
    connectMs: distribution(connectUs, 1000),
    tlsHandshakeMs: distribution(tlsHandshakeUs, 1000),
    protocols: { ...stats.protocols },
    tlsVersions: { ...stats.tlsVersions },
  };
}
