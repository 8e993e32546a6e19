/**
 * The HTML report's tables: the key figures, the ramp's steps, the run's parameters. They carry
 * the numbers behind the charts, so the page says everything even with scripts off.
 */
import type { StepReport } from '../../verdict/step-report.js';
import { count, fixed, ms, percent, tally } from '../../../common/format.js';
import { classToken, escapeHtml } from './escape.js';
import type { HtmlReport, RunParameters } from './html-report.js';

const row = (cells: readonly string[], cell: 'td' | 'th' = 'td') =>
  `<tr>${cells.map((text) => `<${cell}>${text}</${cell}>`).join('')}</tr>`;

/** Requests, throughput, latency: the summary's figures in two small tables. */
export function figuresTables(report: HtmlReport): string {
  const { totals, throughput } = report;
  const counts =
    '<table id="totals"><caption>Requests</caption>' +
    row(['scheduled', 'sent', 'success', 'failed', 'dropped', 'offered (req/s)', 'achieved (req/s)'], 'th') +
    row([
      count(totals.scheduled),
      count(totals.requests),
      count(totals.success),
      count(totals.failure),
      count(totals.dropped),
      count(throughput.offered),
      count(throughput.achieved),
    ]) +
    '</table>';
  const distribution = (label: string, d: HtmlReport['latencyMs']) =>
    row([label, ms(d.min), ms(d.p50), ms(d.p90), ms(d.p99), ms(d.p999), ms(d.max), ms(d.mean)]);
  const lag = report.schedulerLagMs;
  // the generator's own delay beside its lag; summaries saved before it was measured have none
  const delay = report.generatorDelayMs;
  const delayRows =
    delay && delay.loopP99 !== null
      ? row(['event loop delay', '', '', '', ms(delay.loopP99), '', ms(delay.loopMax), '']) +
        row(['GC pauses', '', '', '', '', '', ms(delay.gcPauseMax), '']) +
        `<tr><td colspan="8">GC pauses in all: ${ms(delay.gcPauseTotal)} (summed over workers)</td></tr>`
      : '';
  const latency =
    '<table id="latency"><caption>Latency</caption>' +
    row(['', 'min', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'], 'th') +
    distribution('from due time', report.latencyMs) +
    distribution('service time', report.serviceTimeMs) +
    row(['scheduler lag', '', ms(lag.p50), '', ms(lag.p99), '', ms(lag.max), '']) +
    delayRows +
    '</table>';
  const errors = totals.requests > 0 ? ` (${percent(totals.failure, totals.requests)} of requests)` : '';
  const classes = `<p>Errors: ${escapeHtml(tally(totals.errors))}${errors}. Status codes: ${escapeHtml(tally(totals.statusCodes))}.</p>`;
  return counts + latency + classes;
}

function stepRow(step: StepReport, label: string): string {
  const errors = step.failure + step.dropped;
  const verdict = step.verdict === 'held' ? 'held' : `${step.verdict}: ${step.reason ?? ''}`;
  const cells = [
    label,
    count(step.offered),
    count(step.achieved),
    percent(step.achieved, step.offered),
    errors === 0 ? '0' : `${count(errors)} (${percent(errors, step.scheduled)})`,
    ms(step.latencyMs.p50),
    ms(step.latencyMs.p90),
    ms(step.latencyMs.p99),
    ms(step.latencyMs.max),
    ms(step.schedulerLagMs.p99),
    ms(step.generatorDelayMs?.loopP99 ?? null),
  ];
  return `<tr class="${classToken(step.verdict)}">${cells.map((cell) => `<td>${cell}</td>`).join('')}<td class="text">${escapeHtml(verdict)}</td></tr>`;
}

/** One row per step, then the refine steps; rows that did not hold are tinted like their bands. */
export function stepsTable(steps: readonly StepReport[], refineSteps: readonly StepReport[]): string {
  return (
    '<table id="steps"><caption>Steps</caption>' +
    row(
      ['step', 'offered/s', 'achieved/s', 'of offered', 'errors', 'p50', 'p90', 'p99', 'max', 'lag p99', 'loop delay p99', 'verdict'],
      'th',
    ) +
    steps.map((step, i) => stepRow(step, String(i + 1))).join('') +
    refineSteps.map((step) => stepRow(step, 'refine')).join('') +
    '</table>'
  );
}

export function runTable(run: RunParameters): string {
  const seconds = (value: number | null) => (value === null ? 'n/a' : `${fixed(value, value % 1 === 0 ? 0 : 3)} s`);
  const ramp = run.ramp && `${count(run.ramp.from)} → ${count(run.ramp.to)} req/s in ${run.ramp.steps} steps of ${seconds(run.ramp.stepS)}`;
  const rows: Array<[string, string]> = [
    ['target', run.target],
    ['mode', run.mode],
    ['rate', run.rate === null ? 'n/a' : `${count(run.rate)} req/s`],
    ['clients', count(run.clients)],
    ['ramp', ramp ?? 'n/a'],
    ['duration', seconds(run.durationS)],
    ['warm-up', seconds(run.warmupS)],
    ['interval', seconds(run.intervalS)],
    ['workers', String(run.workers)],
    ['load boxes', run.agents.length === 0 ? 'none (this machine)' : run.agents.join(', ')],
    ['connections', count(run.connections)],
    [
      'protocol',
      run.maxStreams ? `${run.protocol}, at most ${count(run.maxStreams)} streams per connection` : (run.protocol ?? 'HTTP/1.1'),
    ],
    ...(run.unixSocket ? [['Unix socket', run.unixSocket] as [string, string]] : []),
    ['timeout', seconds(run.timeoutS)],
    ['started at', run.startedAt],
    ['stress', run.version],
    ['Node.js', run.node],
  ];
  return `<table id="run-parameters" class="parameters">${rows.map(([name, value]) => `<tr><th>${name}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`;
}

/** A request mix's figures, one row per endpoint, numbered as on its chart. */
export function endpointsTable(report: HtmlReport): string {
  const endpoints = report.endpoints ?? [];
  if (endpoints.length === 0) return '';
  return (
    '<table id="endpoints"><caption>Endpoints</caption>' +
    row(['#', 'endpoint', 'requests', 'success', 'failed', 'p50', 'p90', 'p99', 'max', 'body bytes', 'errors'], 'th') +
    endpoints
      .map((endpoint, index) =>
        row([
          String(index + 1),
          escapeHtml(endpoint.name),
          count(endpoint.requests),
          count(endpoint.success),
          count(endpoint.failure),
          ms(endpoint.latencyMs.p50),
          ms(endpoint.latencyMs.p90),
          ms(endpoint.latencyMs.p99),
          ms(endpoint.latencyMs.max),
          count(endpoint.bytes),
          escapeHtml(endpoint.failure > 0 ? tally(endpoint.errors) : '-'),
        ]),
      )
      .join('') +
    '</table>'
  );
}
