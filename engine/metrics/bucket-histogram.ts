/**
 * A Prometheus histogram fed from merged HDR histograms, for prom-client's registry to expose.
 *
 * Why not prom-client's own Histogram: it takes one value per `observe` call and has no way to add
 * a count. The primary holds each interval's latencies already counted, in the HDR histogram the
 * report reads; observing them one by one would be work per request in the primary, the very cost
 * the live outputs must not have. The registry formats any metric that gives its values through
 * `get()`, as its own custom collectors do: this one keeps cumulative counts per bound and adds
 * an interval's HDR counts to them in one walk (Histogram.addCountsByBound).
 *
 * Bounds are in µs (integers, so an HDR slot lies wholly on one side of each) and exposed in
 * seconds, Prometheus' base unit. The sum is HDR's own: each slot counted at its middle value.
 */
import type { Metric, Registry } from 'prom-client';
import type { Histogram } from '../measure/histogram.js';

/** Label names and values of one series; never `le`, which the buckets use. */
export type Labels = Readonly<Record<string, string>>;

interface Series {
  labels: Labels;
  /** per bucket, not cumulative: the last one holds the values above every bound */
  counts: number[];
  count: number;
  sumSeconds: number;
}

/** One value as prom-client's registry writes it: `metricName{labels} value`. */
interface ExposedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class BucketHistogram {
  /** what prom-client's registry reads besides `get()` */
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();
  private readonly boundsSeconds: number[];

  constructor(
    readonly name: string,
    readonly help: string,
    /** upper bounds, µs, ascending integers */
    private readonly boundsUs: readonly number[],
    registry: Registry,
  ) {
    this.boundsSeconds = boundsUs.map((bound) => bound / 1e6);
    // the registry's type lists its own four classes; at run time it needs a name, get() and reset()
    registry.registerMetric(this as unknown as Metric);
  }

  /** Starts a series at zero, so that it is exposed (and rates work) before its first value. */
  declare(labels: Labels = {}): void {
    this.seriesOf(labels);
  }

  /** Adds every value of `histogram` (µs) to the series of `labels`. */
  add(histogram: Histogram, labels: Labels = {}): void {
    const series = this.seriesOf(labels);
    if (histogram.totalCount === 0) return;
    series.sumSeconds += histogram.addCountsByBound(this.boundsUs, series.counts) / 1e6;
    series.count += histogram.totalCount;
  }

  /** What the registry exposes: per series, cumulative buckets, +Inf, sum and count. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExposedValue[] }> {
    const values: ExposedValue[] = [];
    for (const { labels, counts, count, sumSeconds } of this.series.values()) {
      let cumulative = 0;
      this.boundsSeconds.forEach((le, index) => {
        cumulative += counts[index]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...labels }, value: sumSeconds });
      values.push({ metricName: `${this.name}_count`, labels: { ...labels }, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** What the registry's resetMetrics() calls. */
  reset(): void {
    this.series.clear();
  }

  private seriesOf(labels: Labels): Series {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let series = this.series.get(key);
    if (!series) {
      series = { labels, counts: new Array<number>(this.boundsUs.length + 1).fill(0), count: 0, sumSeconds: 0 };
      this.series.set(key, series);
    }
    return series;
  }
}
