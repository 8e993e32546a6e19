/**
 * What `stress report` accepts as a saved summary (`--out`, `--json`): every field the HTML report
 * reads, of the kind it reads, checked before rendering, so that a file another program wrote, a
 * hand edit or a truncated copy is refused in one line naming the field instead of failing
 * halfway through the page. The fields later versions added are optional, as the report treats
 * them: a summary saved by any earlier version still passes. Pure.
 */
import { boolean, integer, isRecord, list, nullable, number, object, oneOf, optional, record, text } from '../../common/shape.js';
import type { HtmlReport } from './html/html-report.js';
import { ENDPOINT_NAME, MAX_ENDPOINTS } from '../http/target.js';

/** Lists longer than any run writes: a series holds at most 4,096 points (8,192 in earlier versions); a ramp, 1,000 steps. */
const MAX_ITEMS = 1_000_000;
const MAX_TEXT = 10_000_000;
const MAX_KEYS = 10_000;

const figure = number();
const maybe = nullable(figure);
const phrase = text(MAX_TEXT);
const tally = record(figure, MAX_KEYS);

const distribution = object({ min: maybe, mean: optional(maybe), p50: maybe, p90: maybe, p99: maybe, p999: maybe, max: maybe });
const generatorDelay = object({ loopP99: maybe, loopMax: maybe, gcPauseTotal: maybe, gcPauseMax: maybe });

const interval = object({
  t: figure,
  requests: figure,
  success: figure,
  failure: figure,
  achieved: figure,
  p50: maybe,
  p99: maybe,
  startS: optional(figure),
  phase: optional(figure),
  scheduled: optional(figure),
  dropped: optional(figure),
  offered: optional(figure),
  errors: optional(tally),
  p90: optional(maybe),
  max: optional(maybe),
});

const step = object({
  offered: figure,
  achieved: figure,
  scheduled: figure,
  success: figure,
  failure: figure,
  dropped: figure,
  verdict: oneOf(['held', 'broke', 'generator-limited']),
  reason: optional(nullable(phrase)),
  errors: optional(tally),
  latencyMs: object({ p50: maybe, p90: maybe, p99: maybe, max: maybe }),
  schedulerLagMs: object({ p99: maybe }),
  generatorDelayMs: optional(generatorDelay),
});

const run = object({
  version: phrase,
  target: phrase,
  mode: phrase,
  workers: figure,
  agents: list(phrase, MAX_ITEMS),
  rate: maybe,
  clients: maybe,
  ramp: nullable(object({ from: figure, to: figure, steps: figure, stepS: figure })),
  durationS: maybe,
  intervalS: figure,
  warmupS: figure,
  connections: figure,
  protocol: optional(phrase),
  maxStreams: optional(maybe),
  unixSocket: optional(nullable(phrase)),
  timeoutS: figure,
  startedAt: phrase,
  node: phrase,
});

/** An endpoint's name as the targets file allows it: it is printed as it is. */
const endpointName = (value: unknown, path: string): string | null =>
  typeof value === 'string' && ENDPOINT_NAME.test(value)
    ? null
    : `${path} is not an endpoint name (1 to 64 letters, digits, "_", "." or "-")`;

const endpoint = object({
  name: endpointName,
  requests: figure,
  success: figure,
  failure: figure,
  errors: tally,
  latencyMs: object({ p50: maybe, p90: maybe, p99: maybe, max: maybe }),
  bytes: figure,
});

const box = object({ agent: phrase, generatorLimited: boolean, reason: nullable(phrase), lost: nullable(object({ atS: figure })) });

const REPORT = object({
  mode: oneOf(['rate', 'clients', 'ramp']),
  target: phrase,
  workers: figure,
  durationS: figure,
  interrupted: boolean,
  totals: object({
    scheduled: figure,
    requests: figure,
    success: figure,
    failure: figure,
    dropped: figure,
    errors: tally,
    statusCodes: tally,
    errorCodes: optional(tally),
  }),
  throughput: object({ offered: maybe, achieved: figure }),
  latencyMs: distribution,
  serviceTimeMs: distribution,
  schedulerLagMs: object({ p50: maybe, p99: maybe, max: maybe, bound: optional(figure) }),
  generatorDelayMs: optional(generatorDelay),
  // absent from summaries saved before connections were measured
  connections: optional(
    object({ opened: figure, connectMs: distribution, tlsHandshakeMs: distribution, protocols: tally, tlsVersions: tally }),
  ),
  insecure: optional(boolean),
  intervals: list(interval, MAX_ITEMS),
  workerFailures: list(object({ workerIndex: integer(0, Number.MAX_SAFE_INTEGER), atS: figure, message: phrase }), MAX_ITEMS),
  percentiles: optional(list(object({ percentile: figure, latencyMs: maybe, serviceMs: maybe }), MAX_ITEMS)),
  steps: optional(list(step, MAX_ITEMS)),
  refineSteps: optional(list(step, MAX_ITEMS)),
  breakingPoint: optional(nullable(object({ rate: maybe, brokeAt: figure, reason: phrase, refined: boolean }))),
  rampOutcome: optional(
    object({
      outcome: oneOf(['broke', 'held', 'generator-limited', 'empty']),
      heldRate: maybe,
      stoppedAt: maybe,
      reason: nullable(phrase),
    }),
  ),
  run: optional(run),
  outages: optional(
    nullable(list(object({ startS: figure, endS: figure, durationS: figure, failed: figure, recoveryS: maybe }), MAX_ITEMS)),
  ),
  drift: optional(
    nullable(
      object({
        verdict: oneOf(['stable', 'degrading', 'improving']),
        reasons: list(phrase, MAX_ITEMS),
        p50Ratio: maybe,
        p99Ratio: maybe,
        throughputRatio: maybe,
        errorRateDelta: maybe,
      }),
    ),
  ),
  verdicts: optional(list(phrase, MAX_ITEMS)),
  text: optional(phrase),
  remote: optional(object({ agents: list(box, MAX_ITEMS) })),
  // a request mix (--targets) only
  endpoints: optional(list(endpoint, MAX_ENDPOINTS)),
});

/** The saved summary as the HTML report's input, or why it is not one (one phrase naming the field). */
export function checkSavedReport(value: unknown): HtmlReport | string {
  if (!isRecord(value)) return 'it is not an object';
  return REPORT(value, '') ?? (value as unknown as HtmlReport);
}
