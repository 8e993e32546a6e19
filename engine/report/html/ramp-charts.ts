/**
 * The stress test's two charts, against offered rate: what came back (achieved vs offered) and how
 * long it took (p50/p90/p99). Steps that did not hold are shaded by why, so a server break and
 * this generator's own limit are never confused, and the breaking point is a labelled line.
 */
import type { StepReport } from '../../verdict/step-report.js';
import { BAND_COLORS, COLORS, series, type BandSpec, type ChartSpec, type MarkerSpec } from './chart-spec.js';
import type { HtmlReport } from './html-report.js';
import { count } from '../../../common/format.js';

/** Log axes cannot show zero or less: such a value becomes a gap. */
export const positiveOrNull = (value: number | null | undefined): number | null =>
  value !== null && value !== undefined && value > 0 ? value : null;

/**
 * A band per step that did not hold, reaching half way to its neighbours on the x axis (or a
 * tenth of its rate when it has none), so adjacent bands touch and none hides another's point.
 */
export function stepBands(xs: readonly number[], steps: readonly StepReport[]): BandSpec[] {
  const bands: BandSpec[] = [];
  for (const step of steps) {
    if (step.verdict === 'held') continue;
    const i = xs.indexOf(step.offered);
    const before = i > 0 ? (step.offered - xs[i - 1]!) / 2 : null;
    const after = i < xs.length - 1 ? (xs[i + 1]! - step.offered) / 2 : null;
    const fallback = Math.max(step.offered * 0.1, 1);
    bands.push({
      from: step.offered - (before ?? after ?? fallback),
      to: step.offered + (after ?? before ?? fallback),
      kind: step.verdict,
      color: BAND_COLORS[step.verdict],
    });
  }
  return bands;
}

function breakingPointMarkers(report: Pick<HtmlReport, 'breakingPoint'>): MarkerSpec[] {
  const point = report.breakingPoint;
  if (!point) return [];
  return point.rate === null
    ? [{ x: point.brokeAt, label: `broke below ${count(point.brokeAt)} req/s`, color: COLORS.marker }]
    : [{ x: point.rate, label: `breaking point ~${count(point.rate)} req/s`, color: COLORS.marker }];
}

export function rampCharts(report: Pick<HtmlReport, 'steps' | 'refineSteps' | 'breakingPoint'>): ChartSpec[] {
  const steps = report.steps ?? [];
  const refine = report.refineSteps ?? [];
  if (steps.length === 0) return [];
  const xs = [...new Set([...steps, ...refine].map((step) => step.offered))].sort((a, b) => a - b);
  // One value per x: a step's figure at its own rate, null at the other kind's rates.
  const at = (list: readonly StepReport[], figure: (step: StepReport) => number | null) =>
    xs.map((x) => {
      const step = list.find((candidate) => candidate.offered === x);
      return step ? figure(step) : null;
    });
  const hasRefine = refine.length > 0;
  const bands = stepBands(xs, [...steps, ...refine]);
  const markers = breakingPointMarkers(report);
  const common = { x: { label: 'offered (req/s)', axis: 'linear' as const, min: null }, xs, bands, markers, stepped: false, sync: null };

  const throughput: ChartSpec = {
    ...common,
    id: 'ramp-throughput',
    title: 'Throughput per step: achieved vs offered',
    y: { label: 'req/s', log: false, integers: false },
    series: [
      series('offered (ideal)', COLORS.offered, [...xs], { dash: true }),
      series(
        'achieved',
        COLORS.achieved,
        at(steps, (step) => step.achieved),
        { spanGaps: true },
      ),
      ...(hasRefine
        ? [
            series(
              'achieved (refine)',
              COLORS.achieved,
              at(refine, (step) => step.achieved),
              { pointsOnly: true },
            ),
          ]
        : []),
    ],
  };
  const latency: ChartSpec = {
    ...common,
    id: 'ramp-latency',
    title: 'Latency per step (from due time)',
    y: { label: 'ms (log)', log: true, integers: false },
    series: [
      series(
        'p50',
        COLORS.p50,
        at(steps, (step) => positiveOrNull(step.latencyMs.p50)),
        { spanGaps: true },
      ),
      series(
        'p90',
        COLORS.p90,
        at(steps, (step) => positiveOrNull(step.latencyMs.p90)),
        { spanGaps: true },
      ),
      series(
        'p99',
        COLORS.p99,
        at(steps, (step) => positiveOrNull(step.latencyMs.p99)),
        { spanGaps: true },
      ),
      ...(hasRefine
        ? [
            series(
              'p99 (refine)',
              COLORS.p99,
              at(refine, (step) => positiveOrNull(step.latencyMs.p99)),
              { pointsOnly: true },
            ),
          ]
        : []),
    ],
  };
  return [throughput, latency];
}
