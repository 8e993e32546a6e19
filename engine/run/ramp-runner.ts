/**
 * The stress test: one run whose phases are the ramp's steps (all workers switch rate at the
 * same instant and keep their connections), each step judged as soon as its last interval is
 * merged, the ramp stopped after the first step that does not hold, and, with --refine, short
 * runs that bisect towards the breaking point. Judging itself is pure (breaking-point.ts).
 */
import { DEFAULT_CRITERIA, nextRefineRate, rampOutcome, type Criteria } from '../verdict/breaking-point.js';
import { breakingPointOf, stepReport, type RampReport, type StepReport } from '../verdict/step-report.js';
import type { IntervalListener, RampPlan, Run, RunFactory, RunResult, RunSpec } from './contract.js';
import { AgentPhases } from '../verdict/box-verdict.js';
import { emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';

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
    private readonly makeRun: RunFactory,
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
      const merged = stepReport(
        phaseStats.get(phase) ?? emptyStats(),
        ramp.rates[phase]!,
        stepS,
        this.inflightCapacity,
        this.criteria,
        false,
      );
      const report = this.judgeBoxes(merged, boxes, phase, stepS);
      steps.push(report);
      if (report.verdict !== 'held' && ramp.stopOnBreak && !stoppedOnBreak) {
        stoppedOnBreak = true;
        // in-flight requests now belong to the next, unfinished step: a short drain is enough
        this.current?.stop(Math.min(this.base.timeoutMs, 2000), true);
      }
    };
    const run = this.makeRun(
      {
        ...this.base,
        load: { kind: 'rate', segments: ramp.rates.map((rate) => ({ durationMs: ramp.stepMs, fromRate: rate, toRate: rate })) },
      },
      (interval, parts) => {
        this.onInterval(interval, parts);
        // the first interval of a later phase completes every phase before it
        while (steps.length < interval.phase && !stoppedOnBreak) judge(steps.length);
        // answers that arrive after the ramp's planned end would inflate the last step's rate
        if (interval.startMs >= plannedEndMs) return;
        boxes.add(interval, parts);
        let stats = phaseStats.get(interval.phase);
        if (!stats) {
          stats = emptyStats();
          phaseStats.set(interval.phase, stats);
        }
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
    const refineSteps =
      ramp.refine && outcome.outcome === 'broke' && outcome.heldRate !== null
        ? await this.refine(outcome.heldRate, outcome.stoppedAt!)
        : [];
    return {
      result: { ...result, interrupted: this.interrupted },
      report: { steps, refineSteps, outcome, breakingPoint: breakingPointOf(outcome, refineSteps) },
    };
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
      const run = this.makeRun(
        { ...this.base, load: { kind: 'rate', segments: [{ durationMs: refineMs, fromRate: rate, toRate: rate }] } },
        (interval, parts) => {
          this.onInterval(interval, parts);
          boxes.add(interval, parts, refineMs);
          if (interval.startMs < refineMs) mergeStats(within, interval);
        },
      );
      this.current = run;
      const result = await run.run();
      if (result.interrupted || this.interrupted) break;
      const report = this.judgeBoxes(
        stepReport(within, rate, refineMs / 1000, this.inflightCapacity, this.criteria, true),
        boxes,
        0,
        refineMs / 1000,
      );
      reports.push(report);
      if (report.verdict === 'held') held = rate;
      else if (report.verdict === 'broke') broke = rate;
      else break; // the generator, not the server: bisecting further would measure this machine
    }
    return reports;
  }
}
