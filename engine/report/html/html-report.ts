/**
 * What the HTML report is drawn from: the JSON summary (`--json`), with the fields a ramp adds
 * and the fields newer runs add. Everything past the plain summary is optional, so an older JSON
 * file still renders; a section whose data is absent is left out of the page.
 */
import type { BreakingPoint, StepReport } from '../../verdict/step-report.js';
import type { RampOutcome } from '../../verdict/breaking-point.js';
import type { IntervalSummary, Summary } from '../../summary/summary.js';
import type { PercentileRow as PercentilePoint } from '../../measure/statistics.js';
import type { Drift, Outage } from '../../verdict/endurance.js';

/** One reporting interval; older summaries lack all but the first few fields. */
export type ChartInterval = Pick<IntervalSummary, 't' | 'requests' | 'success' | 'failure' | 'achieved' | 'p50' | 'p99'> &
  Partial<IntervalSummary>;

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
  /** the HTTP version asked for (HTTP/2: --http2); absent from summaries saved before HTTP/2 was offered */
  protocol?: 'HTTP/1.1' | 'HTTP/2';
  /** HTTP/2's most streams per connection (--max-streams); null under HTTP/1.1 */
  maxStreams?: number | null;
  /** the server's Unix socket (--unix-socket); null: TCP */
  unixSocket?: string | null;
  timeoutS: number;
  /** ISO 8601 */
  startedAt: string;
  /** Node.js version of the primary */
  node: string;
}

/** The engine's own shapes, as a saved summary carries them. */
export type { PercentilePoint, Drift, Outage };

export interface HtmlReport extends Omit<Summary, 'intervals' | 'percentiles' | 'overTime' | 'outages' | 'drift' | 'generatorDelayMs'> {
  intervals: ChartInterval[];
  /** the generator's own delay (event loop, GC pauses); absent from summaries saved before it was measured */
  generatorDelayMs?: Summary['generatorDelayMs'];
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
