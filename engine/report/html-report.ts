/**
 * What the HTML report is drawn from: the JSON summary (`--json`), with the fields a ramp adds
 * and the fields newer runs add. Everything past the plain summary is optional, so an older JSON
 * file still renders; a section whose data is absent is left out of the page.
 */
import type { BreakingPoint, StepReport } from '../ramp.js';
import type { RampOutcome } from '../breaking-point.js';
import type { IntervalSummary, Summary } from '../summary.js';

/** One reporting interval; older summaries lack all but the first few fields. */
export type IntervalPoint = Pick<IntervalSummary, 't' | 'requests' | 'success' | 'failure' | 'achieved' | 'p50' | 'p99'> & Partial<IntervalSummary>;

/** The run's parameters, as given and as resolved (defaults filled in). */
export interface RunParameters {
  version: string;
  target: string;
  mode: 'rate' | 'clients' | 'ramp';
  workers: number;
  /** load boxes (ssh destinations); empty when the load came from this machine only */
  agents: string[];
  /** req/s */
  rate: number | null;
  clients: number | null;
  /** req/s from and to, number of steps, length of a step in s */
  ramp: { from: number; to: number; steps: number; stepS: number } | null;
  durationS: number | null;
  intervalS: number;
  warmupS: number;
  connections: number;
  timeoutS: number;
  /** ISO 8601 */
  startedAt: string;
  /** Node.js version of the primary */
  node: string;
}

/** One tick of the full distribution: `percentile` in 0..100 (e.g. 99.9), latencies in ms. */
export interface PercentilePoint {
  percentile: number;
  /** latency from due time */
  latencyMs: number | null;
  serviceMs: number | null;
}

/** A stretch of an endurance run where requests failed; times in s since the start. */
export interface Outage {
  startS: number;
  endS: number;
  durationS: number;
  failed: number;
  /** from the end of the outage back to normal latency; null when it never recovered */
  recoveryS: number | null;
}

/** How the end of a long run compares with its beginning. */
export interface Drift {
  verdict: 'stable' | 'degrading' | 'improving';
  reasons: string[];
  /** later over earlier, for each figure; null when either side had nothing to measure */
  p50Ratio: number | null;
  p99Ratio: number | null;
  throughputRatio: number | null;
  /** later error rate minus earlier, 0..1 */
  errorRateDelta: number | null;
}

export interface HtmlReport extends Omit<Summary, 'intervals' | 'percentiles' | 'overTime' | 'outages' | 'drift'> {
  intervals: IntervalPoint[];
  /** ramp only: the judged steps, the --refine steps, and the outcome */
  steps?: StepReport[];
  refineSteps?: StepReport[];
  breakingPoint?: BreakingPoint | null;
  rampOutcome?: RampOutcome;
  run?: RunParameters;
  /** the full latency distribution at HDR percentile ticks */
  percentiles?: PercentilePoint[];
  outages?: Outage[];
  drift?: Drift | null;
  /** the one-line verdicts of the text report, in its order */
  verdicts?: string[];
  /** the text summary as printed to a terminal */
  text?: string;
}
