/**
 * A ramp step's figures and verdict, and the breaking point after the ramp and any refining. Pure:
 * merged stats in, a report out; the judging itself is breaking-point.ts.
 */
import { round } from '../../common/format.js';
import type { ErrorClass, IntervalStats } from '../measure/snapshot.js';
import { generatorDelay, percentile, type GeneratorDelay } from '../measure/statistics.js';
import {
  errorRate,
  judgeStep,
  stepFigures,
  type Criteria,
  type Judgement,
  type RampOutcome,
  type StepFigures,
  type StepStats,
} from './breaking-point.js';

export interface StepReport
  extends Judgement,
    Pick<StepFigures, 'offered' | 'achieved' | 'scheduled' | 'requests' | 'success' | 'failure' | 'dropped'> {
  durationS: number;
  /** (failures + drops) / scheduled */
  errorRate: number;
  errors: Partial<Record<ErrorClass, number>>;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  serviceTimeMs: { p99: number | null };
  schedulerLagMs: { p99: number | null };
  /** share of the step the generator's event loops were busy, 0..1 */
  generatorBusy: number | null;
  /**
   * the generator's own delay in the step: event loop delay p99 and max, GC pauses in all and the
   * longest, ms. Always set; absent only from reports saved before it was measured.
   */
  generatorDelayMs?: GeneratorDelay;
  /** true for the short steps of --refine */
  refine: boolean;
}

export interface BreakingPoint {
  /** highest offered rate that held (refined when --refine ran); null when the first step broke */
  rate: number | null;
  /** offered rate of the step that broke (the lowest broken one after refining) */
  brokeAt: number;
  reason: string;
  refined: boolean;
}

/** A tally of requests, as a step counts them. */
export interface StepCounts extends Pick<StepFigures, 'scheduled' | 'requests' | 'success' | 'failure' | 'dropped'> {
  errors: Partial<Record<ErrorClass, number>>;
}

export interface RampReport {
  steps: StepReport[];
  /**
   * The requests due in the steps a stop cut short (after a break, or Ctrl-C): in the run's
   * totals, never judged. With the steps they add up to the totals; all zero when every step ran.
   * Absent from reports saved before it was counted.
   */
  cutShort?: StepCounts;
  refineSteps: StepReport[];
  outcome: RampOutcome;
  /** null when no step broke (held all the way, or the generator was the limit first) */
  breakingPoint: BreakingPoint | null;
}

/** Figures and verdict of one step: its requests by due time, its pace and the generator's by time. Pure. */
export function stepReport(
  step: StepStats,
  offered: number,
  durationS: number,
  inflightCapacity: number,
  criteria: Criteria,
  refine: boolean,
): StepReport {
  const { counts, histograms, errors } = step.due;
  const latency = (p: number) => percentile(histograms.latencyUs, p, 1000);
  const measured = stepFigures(step, offered, durationS, inflightCapacity);
  const figures = { ...measured, achieved: round(measured.achieved, 1) };
  return {
    offered,
    durationS,
    achieved: figures.achieved,
    scheduled: counts.scheduled,
    requests: counts.requests,
    success: counts.success,
    failure: counts.failure,
    dropped: counts.dropped,
    errorRate: round(errorRate(counts), 5),
    errors: { ...errors },
    latencyMs: { p50: latency(50), p90: latency(90), p99: figures.latencyP99Ms, max: latency(100) },
    serviceTimeMs: { p99: figures.serviceP99Ms },
    schedulerLagMs: { p99: figures.lagP99Ms },
    generatorBusy: figures.generatorBusy === null ? null : round(figures.generatorBusy, 3),
    generatorDelayMs: generatorDelay(step.during),
    refine,
    ...judgeStep(figures, criteria),
  };
}

/** The request counters of merged stats. */
export function stepCounts(stats: IntervalStats): StepCounts {
  const { scheduled, requests, success, failure, dropped } = stats.counts;
  return { scheduled, requests, success, failure, dropped, errors: { ...stats.errors } };
}

/** The breaking point after the ramp and any refining; null when no step broke. */
export function breakingPointOf(outcome: RampOutcome, refineSteps: readonly StepReport[]): BreakingPoint | null {
  if (outcome.outcome !== 'broke') return null;
  let rate = outcome.heldRate;
  let brokeAt = outcome.stoppedAt!;
  let reason = outcome.reason!;
  for (const step of refineSteps) {
    if (step.verdict === 'held' && (rate === null || step.offered > rate)) rate = step.offered;
    if (step.verdict === 'broke' && step.offered < brokeAt) {
      brokeAt = step.offered;
      reason = step.reason!;
    }
  }
  return { rate, brokeAt, reason, refined: refineSteps.length > 0 };
}
