/**
 * Every chart of the HTML report, as data (html-chart-spec.ts), from the JSON summary. Pure.
 * Order is page order: the ramp's charts, the run over time, the latency distribution.
 */
import { ERROR_CLASSES } from '../../measure/snapshot.js';
import { BAND_COLORS, COLORS, ERROR_COLORS, series, type BandSpec, type ChartSpec, type SeriesSpec } from './chart-spec.js';
import type { HtmlReport, ChartInterval } from './html-report.js';
import { positiveOrNull, rampCharts } from './ramp-charts.js';

/**
 * Where percentile `p` (0..100) sits on the HDR axis: log10(1 / (1 - p/100)), so 90% is 1, 99%
 * is 2, 99.9% is 3. The 100th percentile (the max) would be at infinity; it is drawn where a
 * 1-in-`count` value sits, log10(count), which is where it belongs among `count` samples.
 */
export function hdrX(p: number, count: number): number {
  if (p >= 100) return Math.log10(Math.max(count, 1));
  return Math.log10(100 / (100 - p));
}

function outageBands(report: Pick<HtmlReport, 'outages'>): BandSpec[] {
  return (report.outages ?? []).map((outage) => ({ from: outage.startS, to: outage.endS, kind: 'outage', color: BAND_COLORS.outage }));
}

/** One series per error class seen in any interval, and drops; older summaries only have `failure`. */
function errorSeries(intervals: readonly ChartInterval[]): SeriesSpec[] {
  const byClass = intervals.some((interval) => interval.errors !== undefined);
  const list: SeriesSpec[] = [];
  if (byClass) {
    for (const name of ERROR_CLASSES) {
      if (!intervals.some((interval) => (interval.errors?.[name] ?? 0) > 0)) continue;
      list.push(
        series(
          name,
          ERROR_COLORS[name],
          intervals.map((interval) => interval.errors?.[name] ?? 0),
        ),
      );
    }
  }
  if (!byClass || list.length === 0)
    list.push(
      series(
        'failures',
        ERROR_COLORS.failures,
        intervals.map((interval) => interval.failure),
      ),
    );
  if (intervals.some((interval) => (interval.dropped ?? 0) > 0)) {
    list.push(
      series(
        'dropped',
        ERROR_COLORS.dropped,
        intervals.map((interval) => interval.dropped ?? 0),
        { dash: true },
      ),
    );
  }
  return list;
}

/** Throughput, latency and errors per interval, outages shaded: what the live dashboard also draws as the run goes. */
export function timeCharts(report: Pick<HtmlReport, 'intervals' | 'outages'>): ChartSpec[] {
  const intervals = report.intervals;
  if (intervals.length === 0) return [];
  const common = {
    x: { label: 'time (s since start)', axis: 'linear' as const, min: intervals[0]!.startS ?? null },
    xs: intervals.map((interval) => interval.t),
    bands: outageBands(report),
    markers: [],
    stepped: true,
    sync: 'time',
  };
  const hasOffered = intervals.some((interval) => interval.offered !== undefined);
  const latency = (
    label: keyof typeof COLORS & ('p50' | 'p90' | 'p99' | 'max'),
    pick: (interval: ChartInterval) => number | null | undefined,
  ) =>
    series(
      label,
      COLORS[label],
      intervals.map((interval) => positiveOrNull(pick(interval))),
    );
  const errors = errorSeries(intervals);
  const anyError = errors.some((line) => line.values.some((value) => (value ?? 0) > 0));
  return [
    {
      ...common,
      id: 'time-throughput',
      title: 'Throughput per interval',
      y: { label: 'req/s', log: false, integers: false },
      series: [
        ...(hasOffered
          ? [
              series(
                'offered',
                COLORS.offered,
                intervals.map((interval) => interval.offered ?? null),
                { dash: true },
              ),
            ]
          : []),
        series(
          'achieved',
          COLORS.achieved,
          intervals.map((interval) => interval.achieved),
        ),
      ],
    },
    {
      ...common,
      id: 'time-latency',
      title: 'Latency per interval (from due time)',
      y: { label: 'ms (log)', log: true, integers: false },
      series: [
        latency('p50', (interval) => interval.p50),
        ...(intervals.some((interval) => interval.p90 !== undefined) ? [latency('p90', (interval) => interval.p90)] : []),
        latency('p99', (interval) => interval.p99),
        ...(intervals.some((interval) => interval.max !== undefined) ? [latency('max', (interval) => interval.max)] : []),
      ],
    },
    {
      ...common,
      id: 'time-errors',
      title: anyError ? 'Errors per interval, by class' : 'Errors per interval (none)',
      y: { label: 'requests', log: false, integers: true },
      series: errors,
    },
  ];
}

export function distributionChart(report: HtmlReport): ChartSpec | null {
  const points = report.percentiles ?? [];
  const xs: number[] = [];
  const latency: Array<number | null> = [];
  const service: Array<number | null> = [];
  const maxX = hdrX(100, report.totals.success);
  for (const point of points) {
    const x = hdrX(point.percentile, report.totals.success);
    // Ticks rarer than one sample in `count` say nothing the max does not (their value is the
    // max's, or the one below): they go, so the line ends on the max, where it belongs.
    if (point.percentile < 100 && x >= maxX) continue;
    if (xs.length > 0 && x <= xs.at(-1)!) continue;
    xs.push(x);
    latency.push(point.latencyMs);
    service.push(point.serviceMs);
  }
  if (xs.length === 0) return null;
  return {
    id: 'latency-distribution',
    title: 'Latency by percentile',
    x: { label: 'percentile', axis: 'hdr-percentile', min: 0 },
    // log: the body (tenths of a ms) and the tail (seconds) of one run both stay readable
    y: { label: 'ms (log)', log: true, integers: false },
    xs,
    series: [
      series('latency (from due time)', COLORS.latency, latency.map(positiveOrNull)),
      series('service time', COLORS.service, service.map(positiveOrNull)),
    ],
    bands: [],
    markers: [],
    stepped: false,
    sync: null,
  };
}

export function chartSpecs(report: HtmlReport): ChartSpec[] {
  const distribution = distributionChart(report);
  const endpoints = endpointChart(report);
  return [...rampCharts(report), ...timeCharts(report), ...(distribution ? [distribution] : []), ...(endpoints ? [endpoints] : [])];
}

/**
 * A request mix's latency by endpoint: p50, p90, p99 and max of each endpoint as points above its
 * number (its row in the table beside it), on a log scale, so a slow endpoint stands out.
 */
export function endpointChart(report: HtmlReport): ChartSpec | null {
  const endpoints = report.endpoints ?? [];
  if (endpoints.length === 0) return null;
  const at = (label: 'p50' | 'p90' | 'p99' | 'max') =>
    series(
      label,
      COLORS[label],
      endpoints.map((endpoint) => positiveOrNull(endpoint.latencyMs[label])),
      { pointsOnly: true },
    );
  return {
    id: 'endpoint-latency',
    title: 'Latency by endpoint (from due time)',
    x: { label: 'endpoint (its # in the table)', axis: 'linear', min: 0.5 },
    y: { label: 'ms', log: true, integers: false },
    xs: endpoints.map((_, index) => index + 1),
    series: [at('p50'), at('p90'), at('p99'), at('max')],
    bands: [],
    markers: [],
    stepped: false,
    sync: null,
  };
}
