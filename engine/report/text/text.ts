/**
 * The text summary, in the spirit of the original tool (Totals, then median/mean/mode of the
 * successful sizes and times), followed by what that tool could not tell: percentiles from the
 * due time, offered vs achieved throughput, errors by class, and whether the generator kept up.
 */
import type { Summary } from '../../summary/summary.js';
import type { Distribution } from '../../measure/statistics.js';
import { count, fixed, ms, percent, tally } from '../../../common/format.js';
import { agentLines, limitingAgents } from './agents-text.js';
import { DEFAULT_CRITERIA } from '../../verdict/breaking-point.js';

function distributionRow(label: string, figures: Distribution): string {
  const cells = [figures.min, figures.p50, figures.p90, figures.p99, figures.p999, figures.max].map((v) => fixed(v).padStart(9));
  return `    ${label.padEnd(14)}${cells.join('')}`;
}

export function describeLoad(summary: Summary, plannedDurationS: number | null, clients: number | null, requests: number | null): string {
  const length = requests !== null ? `${count(requests)} requests` : `${plannedDurationS} s`;
  const shape =
    summary.mode === 'rate'
      ? `open loop, ${count(summary.throughput.offered)} req/s for ${length}`
      : `closed loop, ${count(clients)} clients for ${length}`;
  return `Load Test: ${shape}, ${summary.workers} worker${summary.workers === 1 ? '' : 's'} -> ${summary.target}`;
}

export function generatorVerdict(summary: Pick<Summary, 'mode' | 'schedulerLagMs' | 'remote'>): string {
  if (summary.mode === 'clients')
    return 'Generator: closed loop, so latency is service time and no schedule was missed (use --rate for an open loop)';
  const lagP99 = summary.schedulerLagMs.p99;
  if (lagP99 === null) return 'Generator: sent nothing';
  const boxes = limitingAgents(summary.remote);
  if (boxes) return `Generator: could NOT keep up on load box ${boxes}; figures are bounded by the generator, add workers or load boxes`;
  // reports saved before --max-lag existed carry no bound: theirs was the default
  const bound = summary.schedulerLagMs.bound ?? DEFAULT_CRITERIA.lagBoundMs;
  if (lagP99 > bound) {
    return `Generator: could NOT keep up: scheduler lag p99 ${ms(lagP99)} > ${Number(bound.toFixed(3))} ms (--max-lag); figures are bounded by this machine, add workers or load boxes`;
  }
  return `Generator: kept up (scheduler lag p99 ${ms(lagP99)}, max ${ms(summary.schedulerLagMs.max)})`;
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
    `${'Latency (ms)'.padEnd(18)}${['min', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(9)).join('')}`,
    distributionRow(summary.mode === 'rate' ? 'from due time' : 'latency', summary.latencyMs),
    distributionRow('service time', summary.serviceTimeMs),
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
    lines.push(`Worker ${failure.workerIndex} failed at ${fixed(failure.atS, 1)} s: ${failure.message} (its data up to then is kept)`);
  }
  lines.push(...agentLines(summary));
  return `${lines.join('\n')}\n`;
}
