/**
 * What the live page shows, as one JSON-safe object per interval: the run so far (totals, the
 * latest interval), the same charts as the HTML report (charts.ts, ramp-charts.ts: throughput,
 * latency, errors by class, outages; a ramp's steps with the breaking point as soon as a step
 * breaks), and the verdict lines decided so far. Pure: merged intervals and judged steps in, the
 * page's update out. Built once per interval, whatever the number of requests or of pages open.
 */
import { count, fixed } from '../../common/format.js';
import type { IntervalStats } from '../measure/snapshot.js';
import type { ChartSpec } from '../report/html/chart-spec.js';
import { timeCharts } from '../report/html/charts.js';
import { rampCharts } from '../report/html/ramp-charts.js';
import { outageLines } from '../report/text/endurance-text.js';
import { verdictLine } from '../report/text/ramp-text.js';
import { rampOutcome } from '../verdict/breaking-point.js';
import { analyseEndurance, ENDURANCE_MIN_INTERVALS, type Outage } from '../verdict/endurance.js';
import { breakingPointOf, type RampReport, type StepReport } from '../verdict/step-report.js';
import { LivePoints, livePoint } from './live-points.js';
import type { IntervalSummary } from '../summary/summary.js';

/** What the live view knows of the run before it starts. */
export interface LiveRun {
  mode: 'rate' | 'clients' | 'ramp';
  /** the ramp's planned top, req/s (null: not a ramp) */
  lastOffered: number | null;
  /** the planned end of the load, s; intervals after it are the drain (null: bound by a request count) */
  plannedS: number | null;
  /** --endurance: outages analysed however short the run */
  endurance: boolean;
}

/** One `update` event of the live page. */
export interface LiveUpdate {
  /** end of the latest interval, s since the start */
  elapsedS: number;
  /** the run so far */
  totals: { scheduled: number; requests: number; success: number; failure: number; dropped: number };
  /** the latest interval, as the summary shows one */
  latest: IntervalSummary;
  charts: ChartSpec[];
  /** the verdicts decided so far, in the order they were */
  verdicts: string[];
  /** the ramp's answer once a step broke or the generator was the limit; null before */
  headline: string | null;
}

/** A judged step as one line: its rate, its verdict and why. */
export function stepLine(step: StepReport): string {
  const verdict = step.verdict === 'held' ? 'held' : `${step.verdict}: ${step.reason ?? ''}`;
  return `${step.refine ? 'Refine step' : 'Step'} ${count(step.offered)} req/s: ${verdict} (achieved ${count(step.achieved)}/s, errors ${fixed(step.errorRate * 100)}%, p99 ${step.latencyMs.p99 === null ? 'n/a' : `${fixed(step.latencyMs.p99)} ms`})`;
}

export class LiveView {
  private readonly points = new LivePoints();
  private readonly totals = { scheduled: 0, requests: 0, success: 0, failure: 0, dropped: 0 };
  private readonly steps: StepReport[] = [];
  private readonly refineSteps: StepReport[] = [];
  private latest: IntervalSummary | null = null;

  constructor(private readonly run: LiveRun) {}

  /** A judged step (of the ramp or of --refine). */
  addStep(step: StepReport): void {
    (step.refine ? this.refineSteps : this.steps).push(step);
  }

  /** A merged interval. */
  addInterval(stats: IntervalStats): void {
    for (const key of Object.keys(this.totals) as Array<keyof typeof this.totals>) this.totals[key] += stats.counts[key];
    this.latest = livePoint(stats);
    this.points.add(this.latest);
  }

  /** The page's update: the run so far; null before the first interval. */
  update(): LiveUpdate | null {
    const latest = this.latest;
    if (latest === null) return null;
    const intervals = this.points.list();
    const outages = this.outages(intervals);
    const ramp = this.rampSoFar();
    const charts = [
      ...rampCharts({ steps: this.steps, refineSteps: this.refineSteps, breakingPoint: ramp?.breakingPoint ?? null }),
      ...timeCharts({ intervals: [...intervals], outages: outages ?? [] }),
    ];
    const decided = ramp !== null && ramp.outcome.outcome !== 'held' ? verdictLine(ramp, this.run.lastOffered) : null;
    return {
      elapsedS: latest.t,
      totals: { ...this.totals },
      latest,
      charts,
      verdicts: [...this.steps, ...this.refineSteps].map(stepLine).concat(outages && outages.length > 0 ? outageLines(outages) : []),
      headline: decided,
    };
  }

  /** The ramp's outcome over the steps judged so far; null before the first. */
  private rampSoFar(): RampReport | null {
    if (this.steps.length === 0) return null;
    const outcome = rampOutcome(this.steps);
    return { steps: this.steps, refineSteps: this.refineSteps, outcome, breakingPoint: breakingPointOf(outcome, this.refineSteps) };
  }

  /** Outages so far, by the summary's rule (a steady run long enough, or --endurance); null when not analysed. */
  private outages(intervals: readonly IntervalSummary[]): Outage[] | null {
    if (this.run.mode === 'ramp') return null;
    const { plannedS } = this.run;
    const load = plannedS === null ? intervals : intervals.filter((interval) => interval.startS < plannedS);
    if (!this.run.endurance && load.length < ENDURANCE_MIN_INTERVALS) return null;
    return analyseEndurance(load).outages;
  }
}
