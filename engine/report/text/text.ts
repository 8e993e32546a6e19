/**
 * The text summary, in the spirit of the original tool (Totals, then median/mean/mode of the
 * successful sizes and times), followed by what that tool could not tell: percentiles from the
 * due time, offered vs achieved throughput, errors by class, and whether the generator kept up:
 * its scheduler lag, and its own delay in reading what arrived (event loop delay, GC pauses).
 */
import type { Summary } from '../../summary/summary.js';
import type { Distribution, GeneratorDelay } from '../../measure/statistics.js';
import { count, fixed, ms, percent, tally } from '../../../common/format.js';
import { stripControls } from '../../../common/strip-controls.js';
import { agentLines, limitingAgents } from './agents-text.js';
import { endpointLines } from './endpoints-text.js';
import { connectionLine, INSECURE_WARNING, setupRows } from './connections-text.js';
import { DEFAULT_CRITERIA, generatorDelayReason } from '../../verdict/breaking-point.js';

function distributionRow(label: string, figures: Distribution): string {
  const cells = [figures.min, figures.p50, figures.p90, figures.p99, figures.p999, figures.max].map((v) => fixed(v).padStart(9));
  return `    ${label.padEnd(14)}${cells.join('')}`;
}

function tableHead(title: string): string {
  return `${title.padEnd(18)}${['min', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(9)).join('')}`;
}

/** Connection set-up times, apart from the requests' latency: connect, then the TLS handshake. */
function setupTable(summary: Summary): string[] {
  const rows = setupRows(summary.connections);
  return rows.length === 0 ? [] : [tableHead('Set-up (ms)'), ...rows.map(([label, figures]) => distributionRow(label, figures))];
}

export function describeLoad(summary: Summary, plannedDurationS: number | null, clients: number | null, requests: number | null): string {
  const length = requests !== null ? `${count(requests)} requests` : `${plannedDurationS} s`;
  const shape =
    summary.mode === 'rate'
      ? `open loop, ${count(summary.throughput.offered)} req/s for ${length}`
      : `closed loop, ${count(clients)} clients for ${length}`;
  return `Load Test: ${shape}, ${summary.workers} worker${summary.workers === 1 ? '' : 's'} -> ${summary.target}`;
}

/** The generator's own delay as a phrase, or null for a summary saved before it was measured. */
export function generatorDelayText(delay: GeneratorDelay | undefined): string | null {
  if (!delay || delay.loopP99 === null) return null;
  return `event loop delay p99 ${ms(delay.loopP99)}, max ${ms(delay.loopMax)}; GC pauses ${ms(delay.gcPauseTotal)} in all, longest ${ms(delay.gcPauseMax)}`;
}

/** What the Generator line is decided from; the delay is absent from summaries saved before it was measured. */
export type GeneratorFigures = Pick<Summary, 'mode' | 'schedulerLagMs' | 'remote'> & {
  latencyMs?: Pick<Summary['latencyMs'], 'p99'>;
  generatorDelayMs?: GeneratorDelay;
};

export function generatorVerdict(summary: GeneratorFigures): string {
  const delay = summary.generatorDelayMs;
  const figures = generatorDelayText(delay);
  const withFigures = (line: string, separator: string, close = '') => (figures ? `${line}${separator}${figures}${close}` : line);
  if (summary.mode === 'clients') {
    // The figures, no verdict on them: a closed loop's clients wait out a stall instead of meeting
    // it at random moments, so its latency percentiles cannot be set beside the loop's.
    return withFigures('Generator: closed loop, so latency is service time and no schedule was missed (use --rate for an open loop)', '; ');
  }
  const lagP99 = summary.schedulerLagMs.p99;
  if (lagP99 === null) return 'Generator: sent nothing';
  const boxes = limitingAgents(summary.remote);
  if (boxes) {
    return withFigures(
      `Generator: could NOT keep up on load box ${boxes}; figures are bounded by the generator, add workers or load boxes`,
      ' (',
      ')',
    );
  }
  // reports saved before --max-lag existed carry no bound: theirs was the default
  const bound = summary.schedulerLagMs.bound ?? DEFAULT_CRITERIA.lagBoundMs;
  const reasons: string[] = [];
  if (lagP99 > bound) reasons.push(`scheduler lag p99 ${ms(lagP99)} > ${Number(bound.toFixed(3))} ms (--max-lag)`);
  // the rule of a ramp step (breaking-point.ts): could the generator's own delay explain the latency p99?
  const delayed = generatorDelayReason(
    { latencyP99Ms: summary.latencyMs?.p99 ?? null, loopDelayP99Ms: delay?.loopP99 ?? null, gcPauseMaxMs: delay?.gcPauseMax ?? null },
    { lagBoundMs: bound, sloP99Ms: null },
  );
  if (delayed) reasons.push(delayed);
  if (reasons.length > 0) {
    return withFigures(
      `Generator: could NOT keep up: ${reasons.join('; ')}; figures are bounded by this machine, add workers or load boxes`,
      ' (',
      ')',
    );
  }
  const lag = `scheduler lag p99 ${ms(lagP99)}, max ${ms(summary.schedulerLagMs.max)}`;
  return `Generator: kept up (${figures ? `${lag}; ${figures}` : lag})`;
}

export function textReport(summary: Summary, heading: string): string {
  const { totals } = summary;
  const lines = [
    heading,
    `Run Time: ${fixed(summary.durationS, 6)} seconds${summary.interrupted ? ' (interrupted)' : ''}`,
    '',
    'Totals',
    `    Request: ${totals.requests}`,
    `    Success: ${totals.success}`,
    `    Failure: ${totals.failure}`,
    `    Dropped: ${totals.dropped}`,
    'Successful Sizes (bytes)',
    `    Median: ${fixed(summary.sizes.median)}`,
    `    Mean:   ${fixed(summary.sizes.mean)}`,
    `    Mode:   ${fixed(summary.sizes.mode)}`,
    'Successful Times (milliseconds)',
    `    Median: ${fixed(summary.times.median)}`,
    `    Mean:   ${fixed(summary.times.mean)}`,
    `    Mode:   ${fixed(summary.times.mode)}`,
    '',
    tableHead('Latency (ms)'),
    distributionRow(summary.mode === 'rate' ? 'from due time' : 'latency', summary.latencyMs),
    distributionRow('service time', summary.serviceTimeMs),
    '',
    ...(summary.endpoints ? [...endpointLines(summary.endpoints), ''] : []),
    connectionLine(summary.connections),
    ...setupTable(summary),
    ...(summary.insecure ? [INSECURE_WARNING] : []),
    '',
    `Throughput: achieved ${count(summary.throughput.achieved)} req/s` +
      (summary.throughput.offered === null
        ? ''
        : ` of ${count(summary.throughput.offered)} offered (${percent(summary.throughput.achieved, summary.throughput.offered)})`),
    `Errors: ${tally(totals.errors)}${totals.requests > 0 ? ` (${percent(totals.failure, totals.requests)} of requests)` : ''}`,
    // the finer codes behind the classes (ECONNREFUSED, EMFILE...), when there are any
    ...(Object.keys(totals.errorCodes ?? {}).length > 0 ? [`Error codes: ${tally(totals.errorCodes)}`] : []),
    `Status codes: ${tally(totals.statusCodes)}`,
    generatorVerdict(summary),
  ];
  for (const failure of summary.workerFailures) {
    lines.push(
      `Worker ${failure.workerIndex} failed at ${fixed(failure.atS, 1)} s: ${stripControls(failure.message)} (its data up to then is kept)`,
    );
  }
  lines.push(...agentLines(summary));
  return `${lines.join('\n')}\n`;
}
