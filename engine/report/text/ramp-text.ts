/**
 * The stress test's text: a table of steps and the one line a user came for, the breaking point,
 * or the plain statement that the server held, or that this generator was the limit.
 */
import type { RampReport, StepReport } from '../../verdict/step-report.js';
import { count, fixed, tally } from '../../../common/format.js';

const COLUMNS = ['offered/s', 'achieved/s', 'success', 'errors', 'p50 ms', 'p99 ms', 'lag p99', 'loop p99', 'verdict'];

function stepRow(step: StepReport): string[] {
  const errors = step.failure + step.dropped;
  const errorText = errors === 0 ? '0' : `${count(errors)} (${tally({ ...step.errors, dropped: step.dropped })})`;
  const verdict = step.verdict === 'held' ? 'held' : `${step.verdict}: ${step.reason}`;
  return [
    count(step.offered),
    count(step.achieved),
    count(step.success),
    errorText,
    fixed(step.latencyMs.p50),
    fixed(step.latencyMs.p99),
    fixed(step.schedulerLagMs.p99),
    // the generator's event loop delay; steps saved before it was measured have none
    fixed(step.generatorDelayMs?.loopP99 ?? null),
    verdict,
  ];
}

function table(rows: string[][]): string[] {
  const widths = COLUMNS.map((header, i) => Math.max(header.length, ...rows.map((row) => (i === COLUMNS.length - 1 ? 0 : row[i]!.length))));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : i === 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`;
  return [line(COLUMNS), ...rows.map(line)];
}

/** The one line that answers "where does it break?". */
export function verdictLine(report: RampReport, lastOffered: number | null): string {
  const { outcome, breakingPoint } = report;
  if (breakingPoint) {
    const within = breakingPoint.refined ? ', refined to within 2%' : '';
    if (breakingPoint.rate === null) {
      return `Breaking point: below ${count(breakingPoint.brokeAt)} req/s (the first step broke: ${breakingPoint.reason})`;
    }
    return `Breaking point: ~${count(breakingPoint.rate)} req/s (${count(breakingPoint.brokeAt)} req/s broke: ${breakingPoint.reason}${within})`;
  }
  if (outcome.outcome === 'generator-limited') {
    const held = outcome.heldRate === null ? 'no step held before it' : `the server held up to ${count(outcome.heldRate)} req/s`;
    return (
      `Inconclusive: the generator could not offer ${count(outcome.stoppedAt)} req/s (${outcome.reason}); ${held}. ` +
      'More workers (--workers) or more load boxes are needed to go higher.'
    );
  }
  if (outcome.outcome === 'held') return `No breaking point: the server held every step up to ${count(lastOffered)} req/s`;
  return 'No breaking point: no step completed';
}

/** Where the requests of the steps a stop cut short went: the totals count them, no step does. */
function cutShortLine(report: RampReport): string[] {
  const cut = report.cutShort;
  if (!cut || cut.scheduled === 0) return [];
  return [`  then ${count(cut.scheduled)} requests due in steps the stop cut short: in the totals, not judged`];
}

export function rampText(report: RampReport, lastOffered: number | null): string {
  const lines = ['', 'Steps', ...table(report.steps.map(stepRow)), ...cutShortLine(report)];
  if (report.refineSteps.length > 0) lines.push('', 'Refine (shorter steps)', ...table(report.refineSteps.map(stepRow)));
  lines.push('', verdictLine(report, lastOffered));
  return `${lines.join('\n')}\n`;
}
