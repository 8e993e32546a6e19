/**
 * The endurance part of the text report: the run over time (at most 20 rows, each a merge of
 * its intervals), then one line for drift and one per outage. Also the threshold lines.
 */
import { MIN_DRIFT_INTERVALS, MIN_DRIFT_S, type Drift, type Outage } from '../../verdict/endurance.js';
import type { Summary } from '../../summary/summary.js';
import type { ThresholdResult } from '../../verdict/thresholds.js';
import { count, fixed, percent } from '../../../common/format.js';

export function overTimeTable(summary: Summary): string[] {
  const header = ['until s', 'req/s', 'offered', 'errors', 'dropped', 'p50', 'p90', 'p99', 'max'];
  const lines = [`Over time (ms from due time)`, `    ${header.map((cell) => cell.padStart(9)).join('')}`];
  for (const row of summary.overTime) {
    const cells = [
      fixed(row.t, 1),
      count(row.achieved),
      count(row.offered),
      percent(row.failure, row.requests),
      count(row.dropped),
      fixed(row.p50),
      fixed(row.p90),
      fixed(row.p99),
      fixed(row.max),
    ];
    lines.push(`    ${cells.map((cell) => cell.padStart(9)).join('')}`);
  }
  return lines;
}

export function driftLine(drift: Drift | null): string {
  if (drift === null) return `Drift: run too short to judge (under ${MIN_DRIFT_S} s or ${MIN_DRIFT_INTERVALS} intervals)`;
  const figures = `p50 ${fixed(drift.p50Ratio)}x, p99 ${fixed(drift.p99Ratio)}x, throughput ${fixed(drift.throughputRatio)}x, errors ${drift.errorRateDelta === null ? 'n/a' : `${drift.errorRateDelta >= 0 ? '+' : ''}${fixed(drift.errorRateDelta * 100)} points`}, p99 trend ${fixed(drift.p99TrendMsPerMin)} ms/min`;
  const window = `last vs first ${drift.windowIntervals} intervals`;
  if (drift.verdict === 'stable') return `Drift: stable (${figures}; ${window})`;
  return `Drift: ${drift.verdict}: ${drift.reasons.join('; ')} (${window})`;
}

export function outageLines(outages: readonly Outage[]): string[] {
  if (outages.length === 0) return ['Outages: none'];
  return outages.map((outage, index) => {
    const recovery =
      outage.recoveryS === null
        ? 'latency not back to its baseline before the end'
        : `latency back to baseline ${fixed(outage.recoveryS)} s later`;
    return `Outage ${index + 1}: ${fixed(outage.startS)} s -> ${fixed(outage.endS)} s (${fixed(outage.durationS)} s), ${count(outage.failed)} requests lost, ${recovery}`;
  });
}

/** The endurance section, or nothing when the run was not analysed. */
export function enduranceText(summary: Summary): string[] {
  if (summary.outages === null) return [];
  return ['', ...overTimeTable(summary), '', driftLine(summary.drift), ...outageLines(summary.outages)];
}

export function thresholdLines(results: readonly ThresholdResult[]): string[] {
  if (results.length === 0) return [];
  const failed = results.filter((result) => !result.passed);
  const detail = (result: ThresholdResult) => `${result.expression} (was ${result.actual === null ? 'n/a' : result.actual})`;
  return failed.length === 0 ? [`Thresholds: all ${results.length} passed`] : [`Thresholds: FAILED ${failed.map(detail).join(', ')}`];
}
