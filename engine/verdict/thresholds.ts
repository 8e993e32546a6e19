/**
 * `--fail-on` thresholds for CI: `p99<50ms`, `errors<1%`, `achieved>=9000`, and of one endpoint of
 * a request mix, `checkout:p99<200ms`. Parsing and judging are pure; a crossed threshold makes the
 * run exit 1 and is named in the report.
 */
import { parseDurationMs, parseFraction, parseRate, UnitError } from '../../common/units.js';

const OPERATORS = ['<=', '>=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

/**
 * The figures thresholds judge: a narrow view of the run's summary (which satisfies it as it is),
 * so that judging depends on what it reads and nothing else.
 */
export interface ThresholdFigures {
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; p999: number | null; max: number | null; mean: number | null };
  schedulerLagMs: { p99: number | null };
  totals: { requests: number; failure: number; scheduled: number; dropped: number };
  throughput: { achieved: number | null };
  /** a request mix's endpoints (absent: no mix) */
  endpoints?: ReadonlyArray<EndpointFigures>;
}

/** What a threshold of one endpoint reads. */
export interface EndpointFigures {
  name: string;
  requests: number;
  failure: number;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
}

/** The metrics an endpoint has: its latency percentiles and its error share. */
const ENDPOINT_METRICS = {
  p50: (e: EndpointFigures) => e.latencyMs.p50,
  p90: (e: EndpointFigures) => e.latencyMs.p90,
  p99: (e: EndpointFigures) => e.latencyMs.p99,
  max: (e: EndpointFigures) => e.latencyMs.max,
  errors: (e: EndpointFigures) => (e.requests > 0 ? e.failure / e.requests : null),
} as const;

/** What each metric reads from the figures, and how its bound is written. */
const METRICS = {
  p50: { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.p50 },
  p90: { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.p90 },
  p99: { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.p99 },
  'p99.9': { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.p999 },
  max: { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.max },
  mean: { unit: 'ms', read: (s: ThresholdFigures) => s.latencyMs.mean },
  'lag-p99': { unit: 'ms', read: (s: ThresholdFigures) => s.schedulerLagMs.p99 },
  errors: { unit: 'share', read: (s: ThresholdFigures) => (s.totals.requests > 0 ? s.totals.failure / s.totals.requests : null) },
  dropped: { unit: 'share', read: (s: ThresholdFigures) => (s.totals.scheduled > 0 ? s.totals.dropped / s.totals.scheduled : null) },
  achieved: { unit: 'rate', read: (s: ThresholdFigures) => s.throughput.achieved },
} as const satisfies Record<string, { unit: 'ms' | 'share' | 'rate'; read: (s: ThresholdFigures) => number | null }>;
type Metric = keyof typeof METRICS;

export interface Threshold {
  /** as the user wrote it */
  expression: string;
  /** the endpoint of a mix it judges (NAME:metric...); null: the whole run */
  endpoint: string | null;
  metric: Metric;
  operator: Operator;
  /** ms, a share 0..1, or req/s, as the metric's unit says */
  bound: number;
}

export interface ThresholdResult {
  expression: string;
  /** the run's figure in the threshold's unit; null when it does not exist (nothing succeeded) */
  actual: number | null;
  passed: boolean;
}

const HINT = `write [ENDPOINT:]METRIC<VALUE, e.g. p99<50ms, errors<1%, achieved>=9000, checkout:p99<200ms (metrics: ${Object.keys(METRICS).join(', ')}; of an endpoint: ${Object.keys(ENDPOINT_METRICS).join(', ')})`;

export function parseThreshold(text: string): Threshold {
  const match = /^\s*(?:([A-Za-z0-9_.-]{1,64}):)?([a-z0-9.-]+)\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(text);
  if (!match) throw new UnitError(`--fail-on: "${text}" is not a threshold; ${HINT}`);
  const [, endpoint, name, operator, value] = match as unknown as [string, string | undefined, string, Operator, string];
  if (!Object.hasOwn(METRICS, name)) throw new UnitError(`--fail-on: "${text}": unknown metric "${name}"; ${HINT}`);
  if (endpoint !== undefined && !Object.hasOwn(ENDPOINT_METRICS, name))
    throw new UnitError(`--fail-on: "${text}": an endpoint has no "${name}"; ${HINT}`);
  const metric = name as Metric;
  const { unit } = METRICS[metric];
  // a bare number is ms for a latency bound: "p99<50" means what anyone reading it would think
  const bound =
    unit === 'ms'
      ? parseDurationMs(/^[\d.]+$/.test(value) ? `${value}ms` : value, `--fail-on ${name}`)
      : unit === 'share'
        ? parseFraction(value, `--fail-on ${name}`)
        : parseRate(value, `--fail-on ${name}`);
  return { expression: text.trim(), endpoint: endpoint ?? null, metric, operator, bound };
}

function holds(actual: number, operator: Operator, bound: number): boolean {
  switch (operator) {
    case '<':
      return actual < bound;
    case '<=':
      return actual <= bound;
    case '>':
      return actual > bound;
    case '>=':
      return actual >= bound;
  }
}

/**
 * Judges every threshold. A figure that does not exist fails a latency bound (nothing succeeded
 * is not fast) and a share bound with nothing sent passes (no request, no error).
 */
export function judgeThresholds(thresholds: readonly Threshold[], figures: ThresholdFigures): ThresholdResult[] {
  return thresholds.map(({ expression, endpoint, metric, operator, bound }) => {
    const actual = endpoint === null ? METRICS[metric].read(figures) : endpointFigure(figures, endpoint, metric);
    const passed = actual === null ? METRICS[metric].unit === 'share' : holds(actual, operator, bound);
    return { expression, actual: actual === null ? null : Math.round(actual * 1e6) / 1e6, passed };
  });
}

/** An endpoint's figure; null when the run has no such endpoint (the plan refuses that before any load). */
function endpointFigure(figures: ThresholdFigures, name: string, metric: Metric): number | null {
  const endpoint = figures.endpoints?.find((candidate) => candidate.name === name);
  const read = Object.hasOwn(ENDPOINT_METRICS, metric) ? ENDPOINT_METRICS[metric as keyof typeof ENDPOINT_METRICS] : null;
  return endpoint === undefined || read === null ? null : read(endpoint);
}
