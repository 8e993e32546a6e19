/**
 * The stress test: one run whose phases are the ramp's steps (all workers switch rate at the
 * same instant and keep their connections), each step judged as soon as its last interval is
 * merged, the ramp stopped after the first step that does not hold, and, with --refine, short
 * runs that bisect towards the breaking point. Judging itself is pure (breaking-point.ts).
 */
import { DEFAULT_CRITERIA, errorRate, judgeStep, nextRefineRate, rampOutcome, type Criteria, type Judgement, type RampOutcome, type StepFigures } from '../verdict/breaking-point.js';
import type { RampPlan } from '../plan/plan.js';
import { LocalRun, type IntervalListener, type Run, type RunFactory, type RunResult, type RunSpec } from './local-run.js';
import { AgentPhases } from '../verdict/box-verdict.js';
import { emptyStats, mergeStats, type ErrorClass, type IntervalStats } from '../measure/snapshot.js';
import { percentile } from '../measure/statistics.js';

export interface StepReport extends Judgement, Pick<StepFigures, 'offered' | 'achieved' | 'scheduled' | 'requests' | 'success' | 'failure' | 'dropped'> {
  durationS: number;
  /** (failures + drops) / scheduled */
  errorRate: number;
  errors: Partial<Record<ErrorClass, number>>;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  serviceTimeMs: { p99: number | null };
  schedulerLagMs: { p99: number | null };
  /** share of the step the generator's event loops were busy, 0..1 */
  generatorBusy: number | null;
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

export interface RampReport {
  steps: StepReport[];
  refineSteps: StepReport[];
  outcome: RampOutcome;
  /** null when no step broke (held all the way, or the generator was the limit first) */
  breakingPoint: BreakingPoint | null;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Figures and verdict of one step from its merged intervals. Pure. */
export function stepReport(stats: IntervalStats, offered: number, durationS: number, inflightCapacity: number, criteria: Criteria, refine: boolean): StepReport {
  const { counts, histograms } = stats;
  const latency = (p: number) => percentile(histograms.latencyUs, p, 1000);
  const figures = {
    offered,
    achieved: round(counts.responses / durationS, 1),
    scheduled: counts.scheduled,
    requests: counts.requests,
    success: counts.success,
    failure: counts.failure,
    dropped: counts.dropped,
    latencyP99Ms: latency(99),
    serviceP99Ms: percentile(histograms.serviceUs, 99, 1000),
    lagP99Ms: percentile(histograms.lagUs, 99, 1000),
    inflightCapacity,
    generatorBusy: counts.generatorObservedMs > 0 ? counts.generatorBusyMs / counts.generatorObservedMs : null,
  };
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
    errors: { ...stats.errors },
    latencyMs: { p50: latency(50), p90: latency(90), p99: figures.latencyP99Ms, max: latency(100) },
    serviceTimeMs: { p99: figures.serviceP99Ms },
    schedulerLagMs: { p99: figures.lagP99Ms },
    generatorBusy: figures.generatorBusy === null ? null : round(figures.generatorBusy, 3),
    refine,
    ...judgeStep(figures, criteria),
  };
}

export class RampRunner {
  private current: Run | null = null;
  private interrupted = false;
  private interruptDrainMs = 0;

  constructor(
    private readonly ramp: RampPlan,
    /** everything but the load */
    private readonly base: Omit<RunSpec, 'load'>,
    private readonly onInterval: IntervalListener,
    /** lag bound of the generator-limited verdict, ms */
    private readonly lagBoundMs: number,
    /** how each run is made: on this machine, or on load boxes */
    private readonly makeRun: RunFactory = (spec, onInterval) => new LocalRun(spec, onInterval),
  ) {}

  /** A step a load box could not offer (lost, or limited on its own figures) is not the server's verdict. */
  private judgeBoxes(report: StepReport, boxes: AgentPhases, phase: number, durationS: number): StepReport {
    const reason = boxes.limitReason(phase, durationS, this.base.maxInflight, this.criteria);
    boxes.forget(phase);
    return reason === null || report.verdict === 'generator-limited' ? report : { ...report, verdict: 'generator-limited', reason };
  }

  private get criteria(): Criteria {
    return { ...DEFAULT_CRITERIA, maxErrorRate: this.ramp.maxErrorRate, sloP99Ms: this.ramp.sloP99Ms, lagBoundMs: this.lagBoundMs };
  }

  private get inflightCapacity(): number {
    return this.base.maxInflight * this.base.workers;
  }

  /** A user's stop (Ctrl-C): ends the current run and any refining. */
  stop(drainMs: number): void {
    this.interrupted = true;
    this.interruptDrainMs = drainMs;
    this.current?.stop(drainMs);
  }

  async run(): Promise<{ result: RunResult; report: RampReport }> {
    const { ramp } = this;
    const stepS = ramp.stepMs / 1000;
    const phaseStats = new Map<number, IntervalStats>();
    const steps: StepReport[] = [];
    const plannedEndMs = ramp.stepMs * ramp.rates.length;
    let stoppedOnBreak = false;
    const boxes = new AgentPhases();
    const judge = (phase: number) => {
      const merged = stepReport(phaseStats.get(phase) ?? emptyStats(), ramp.rates[phase]!, stepS, this.inflightCapacity, this.criteria, false);
      const report = this.judgeBoxes(merged, boxes, phase, stepS);
      steps.push(report);
      if (report.verdict !== 'held' && ramp.stopOnBreak && !stoppedOnBreak) {
        stoppedOnBreak = true;
        // in-flight requests now belong to the next, unfinished step: a short drain is enough
        this.current?.stop(Math.min(this.base.timeoutMs, 2000), true);
      }
    };
    const run = this.makeRun(
      { ...this.base, load: { kind: 'rate', segments: ramp.rates.map((rate) => ({ durationMs: ramp.stepMs, fromRate: rate, toRate: rate })) } },
      (interval, parts) => {
        this.onInterval(interval, parts);
        // the first interval of a later phase completes every phase before it
        while (steps.length < interval.phase && !stoppedOnBreak) judge(steps.length);
        // answers that arrive after the ramp's planned end would inflate the last step's rate
        if (interval.startMs >= plannedEndMs) return;
        boxes.add(interval, parts);
        let stats = phaseStats.get(interval.phase);
        if (!stats) phaseStats.set(interval.phase, (stats = emptyStats()));
        mergeStats(stats, interval);
      },
    );
    this.current = run;
    // stopped before the ramp began (Ctrl-C while setting up): its run starts stopped
    if (this.interrupted) run.stop(this.interruptDrainMs);
    const result = await run.run();
    // Without a stop every phase ran to its end; after one, the phase it cut short is not a step.
    if (!this.interrupted) while (steps.length < ramp.rates.length && !stoppedOnBreak) judge(steps.length);
    const outcome = rampOutcome(steps);
    const refineSteps = ramp.refine && outcome.outcome === 'broke' && outcome.heldRate !== null
      ? await this.refine(outcome.heldRate, outcome.stoppedAt!)
      : [];
    return { result: { ...result, interrupted: this.interrupted }, report: { steps, refineSteps, outcome, breakingPoint: breakingPointOf(outcome, refineSteps) } };
  }

  /** Bisects between a held and a broken rate with steps half as long (at least 1 s). */
  private async refine(heldRate: number, brokeRate: number): Promise<StepReport[]> {
    const refineMs = Math.max(1000, this.ramp.stepMs / 2);
    const reports: StepReport[] = [];
    let held = heldRate;
    let broke = brokeRate;
    for (let rate = nextRefineRate(held, broke); rate !== null && !this.interrupted; rate = nextRefineRate(held, broke)) {
      // as in the ramp, only what happened within the step counts (not the drain after it)
      const within = emptyStats();
      const boxes = new AgentPhases();
      const run = this.makeRun({ ...this.base, load: { kind: 'rate', segments: [{ durationMs: refineMs, fromRate: rate, toRate: rate }] } }, (interval, parts) => {
        this.onInterval(interval, parts);
        boxes.add(interval, parts, refineMs);
        if (interval.startMs < refineMs) mergeStats(within, interval);
      });
      this.current = run;
      const result = await run.run();
      if (result.interrupted || this.interrupted) break;
      const report = this.judgeBoxes(stepReport(within, rate, refineMs / 1000, this.inflightCapacity, this.criteria, true), boxes, 0, refineMs / 1000);
      reports.push(report);
      if (report.verdict === 'held') held = rate;
      else if (report.verdict === 'broke') broke = rate;
      else break; // the generator, not the server: bisecting further would measure this machine
    }
    return reports;
  }
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
