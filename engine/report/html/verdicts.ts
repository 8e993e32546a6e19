/**
 * The top of the HTML report: what a reader came for, before any chart. The one-line verdicts of
 * the text report (the same words), the breaking point of a ramp as a headline, drift and outages
 * of an endurance run. Plain HTML, readable with scripts off.
 */
import type { RampReport } from '../../verdict/step-report.js';
import { count, fixed } from '../../../common/format.js';
import { classToken, escapeHtml } from './escape.js';
import type { Drift, HtmlReport, Outage } from './html-report.js';
import { verdictLine } from '../text/ramp-text.js';
import { generatorVerdict } from '../text/text.js';

function rampReportOf(report: HtmlReport): RampReport | null {
  if (!report.steps || !report.rampOutcome) return null;
  return {
    steps: report.steps,
    refineSteps: report.refineSteps ?? [],
    outcome: report.rampOutcome,
    breakingPoint: report.breakingPoint ?? null,
  };
}

/** The planned top of the ramp, which a ramp that held all the way reports as its reach. */
function lastOffered(report: HtmlReport): number | null {
  return report.run?.ramp?.to ?? report.steps?.at(-1)?.offered ?? null;
}

/** The verdicts as the text report prints them; recomputed from the summary when it predates them. */
export function verdictLines(report: HtmlReport): string[] {
  if (report.verdicts) return report.verdicts;
  const ramp = rampReportOf(report);
  return [generatorVerdict(report), ...(ramp ? [verdictLine(ramp, lastOffered(report))] : [])];
}

/** The ramp's answer in large type: the breaking point, or why there is none. */
function rampHeadline(report: HtmlReport): string {
  const ramp = rampReportOf(report);
  if (!ramp) return '';
  const { breakingPoint: point, outcome } = ramp;
  let kind: string;
  let big: string;
  let detail: string;
  if (point) {
    kind = 'broke';
    big = point.rate === null ? `Broke below ${count(point.brokeAt)} req/s` : `Breaking point ~${count(point.rate)} req/s`;
    detail = `${count(point.brokeAt)} req/s broke: ${point.reason}${point.refined ? ' (refined to within 2%)' : ''}`;
  } else if (outcome.outcome === 'generator-limited') {
    kind = 'generator-limited';
    big = `Inconclusive: the generator could not offer ${count(outcome.stoppedAt)} req/s`;
    detail = `${outcome.reason ?? ''}; ${outcome.heldRate === null ? 'no step held before it' : `the server held up to ${count(outcome.heldRate)} req/s`}`;
  } else {
    kind = 'held';
    big = outcome.outcome === 'held' ? `No breaking point up to ${count(lastOffered(report))} req/s` : 'No step completed';
    detail = outcome.outcome === 'held' ? 'every step held' : '';
  }
  return `<div class="headline ${kind}" id="breaking-point"><div class="big">${escapeHtml(big)}</div><div>${escapeHtml(detail)}</div></div>`;
}

const ratio = (value: number | null) => (value === null ? 'n/a' : `×${fixed(value)}`);

function driftBlock(drift: Drift): string {
  const delta =
    drift.errorRateDelta === null ? 'n/a' : `${drift.errorRateDelta >= 0 ? '+' : ''}${fixed(drift.errorRateDelta * 100)} points`;
  const reasons = drift.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('');
  return (
    `<div class="drift ${classToken(drift.verdict)}" id="drift"><strong>Drift: ${escapeHtml(drift.verdict)}</strong>` +
    (reasons ? `<ul>${reasons}</ul>` : '') +
    '<table><tr><th></th><th>p50</th><th>p99</th><th>throughput</th><th>error rate</th></tr>' +
    `<tr><td>later vs earlier</td><td>${ratio(drift.p50Ratio)}</td><td>${ratio(drift.p99Ratio)}</td><td>${ratio(drift.throughputRatio)}</td><td>${delta}</td></tr></table></div>`
  );
}

function outagesBlock(outages: readonly Outage[]): string {
  if (outages.length === 0) return '<p id="outages">No outages.</p>';
  const rows = outages
    .map(
      (outage) =>
        `<tr><td>${fixed(outage.startS, 1)}</td><td>${fixed(outage.endS, 1)}</td><td>${fixed(outage.durationS, 1)}</td><td>${count(outage.failed)}</td>` +
        `<td>${outage.recoveryS === null ? 'did not recover' : fixed(outage.recoveryS, 1)}</td></tr>`,
    )
    .join('');
  return (
    '<table id="outages"><caption>Outages</caption><tr><th>start (s)</th><th>end (s)</th><th>length (s)</th><th>failed</th><th>recovered after (s)</th></tr>' +
    `${rows}</table>`
  );
}

export function verdictsSection(report: HtmlReport): string {
  const items = verdictLines(report).map((line) => `<li>${escapeHtml(line)}</li>`);
  for (const failure of report.workerFailures) {
    items.push(
      `<li class="warn">Worker ${escapeHtml(String(failure.workerIndex))} failed at ${fixed(failure.atS, 1)} s: ${escapeHtml(failure.message)} (its data up to then is kept)</li>`,
    );
  }
  if (report.interrupted) items.push('<li class="warn">Interrupted: the figures cover the run up to the stop.</li>');
  return (
    '<section id="verdicts"><h2>Verdicts</h2>' +
    rampHeadline(report) +
    `<ul class="verdicts">${items.join('')}</ul>` +
    (report.drift ? driftBlock(report.drift) : '') +
    (report.outages ? outagesBlock(report.outages) : '') +
    '</section>'
  );
}
