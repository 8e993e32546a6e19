/**
 * `--fail-on` thresholds for CI: `p99<50ms`, `errors<1%`, `achieved>=9000`. Parsing and judging
 * are pure; a crossed threshold makes the run exit 1 and is named in the report.
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
}

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

const HINT = `write METRIC<VALUE, e.g. p99<50ms, errors<1%, achieved>=9000 (metrics: ${Object.keys(METRICS).join(', ')})`;

export function parseThreshold(text: string): Threshold {
  const match = /^\s*([a-z0-9.-]+)\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(text);
  if (!match) throw new UnitError(`--fail-on: "${text}" is not a threshold; ${HINT}`);
  const [, name, operator, value] = match as unknown as [string, string, Operator, string];
  if (!(name in METRICS)) throw new UnitError(`--fail-on: "${text}": unknown metric "${name}"; ${HINT}`);
  const metric = name as Metric;
  const { unit } = METRICS[metric];
  // a bare number is ms for a latency bound: "p99<50" means what anyone reading it would think
  const bound =
    unit === 'ms'
      ? parseDurationMs(/^[\d.]+$/.test(value) ? `${value}ms` : value, `--fail-on ${name}`)
      : unit === 'share'
        ? parseFraction(value, `--fail-on ${name}`)
        : parseRate(value, `--fail-on ${name}`);
  return { expression: text.trim(), metric, operator, bound };
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
  return thresholds.map(({ expression, metric, operator, bound }) => {
    const actual = METRICS[metric].read(figures);
    const passed = actual === null ? METRICS[metric].unit === 'share' : holds(actual, operator, bound);
    return { expression, actual: actual === null ? null : Math.round(actual * 1e6) / 1e6, passed };
  });
}
