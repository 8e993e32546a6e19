/**
 * The stress test: one run whose phases are the ramp's steps (all workers switch rate at the
 * same instant and keep their connections), each step judged as soon as it is closed everywhere,
 * the ramp stopped after the first step that does not hold, and, with --refine, short runs that
 * bisect towards the breaking point. Judging itself is pure (breaking-point.ts).
 *
 * A step's requests are those due in it, wherever in time they ended: each merged interval carries
 * its outcomes split by step, and they are summed per step. A step is judged once every worker
 * (and every load box) has closed it: its planned end has passed and none of its requests is in
 * flight any more, so its slowest answers and its timeouts are in. Its pace (achieved rate) and the
 * generator's own delay are summed by time, over the intervals that lie in the step (see StepStats).
 */
import { DEFAULT_CRITERIA, nextRefineRate, rampOutcome, type Criteria, type StepStats } from '../verdict/breaking-point.js';
import { breakingPointOf, stepCounts, stepReport, type RampReport, type StepReport } from '../verdict/step-report.js';
import type { IntervalListener, RampPlan, Run, RunFactory, RunResult, RunSpec } from './contract.js';
import { AgentPhases } from '../verdict/box-verdict.js';
import { emptyStats, mergeStats } from '../measure/snapshot.js';

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
    /** each step (and each --refine step) as soon as it is judged: live outputs show the breaking point as it is found */
    private readonly onStep: (report: StepReport) => void = () => undefined,
  ) {}

  /**
   * A step a load box could not offer (lost, or limited on its own figures) is not the server's
   * verdict, and it names the box: also when the merged figures were generator-limited already
   * (a box that fell far behind drags the merge with it), as the run's Generator line does.
   */
  private judgeBoxes(report: StepReport, boxes: AgentPhases, step: number, durationS: number): StepReport {
    const reason = boxes.limitReason(step, durationS, this.base.maxInflight, this.criteria);
    boxes.forget(step);
    return reason === null ? report : { ...report, verdict: 'generator-limited', reason };
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
    /** each step's two views while it is open: its requests by due time, its intervals by time */
    const open = new Map<number, StepStats>();
    const openStep = (step: number): StepStats => {
      let stats = open.get(step);
      if (!stats) {
        stats = { due: emptyStats(), during: emptyStats() };
        open.set(step, stats);
      }
      return stats;
    };
    const steps: StepReport[] = [];
    const plannedEndMs = ramp.stepMs * ramp.rates.length;
    let stoppedOnBreak = false;
    const boxes = new AgentPhases();
    const judge = (step: number) => {
      const merged = stepReport(openStep(step), ramp.rates[step]!, stepS, this.inflightCapacity, this.criteria, false);
      open.delete(step);
      const report = this.judgeBoxes(merged, boxes, step, stepS);
      steps.push(report);
      this.onStep(report);
      if (report.verdict !== 'held' && ramp.stopOnBreak && !stoppedOnBreak) {
        stoppedOnBreak = true;
        // the requests in flight belong to the next steps, which will not be judged: a short drain is enough
        this.current?.stop(Math.min(this.base.timeoutMs, 2000), true);
      }
    };
    const run = this.makeRun(
      {
        ...this.base,
        load: { kind: 'rate', segments: ramp.rates.map((rate) => ({ durationMs: ramp.stepMs, fromRate: rate, toRate: rate })) },
        // the refining runs start workers of their own
        lastPool: !ramp.refine,
      },
      (interval, parts) => {
        // the drain after the planned end still belongs to the last step
        const step = Math.min(interval.phase, ramp.rates.length - 1);
        this.onInterval(interval, parts, { step, offeredRate: ramp.rates[step]! });
        // late answers count in the step they were due in, however late they come
        for (const part of interval.steps) mergeStats(openStep(part.phase).due, part);
        // but not in the pace of the last step: the drain after the ramp's planned end offers nothing
        if (interval.startMs < plannedEndMs) mergeStats(openStep(interval.phase).during, interval);
        boxes.add(interval, parts, plannedEndMs);
        while (steps.length < Math.min(interval.stepsClosed, ramp.rates.length) && !stoppedOnBreak) judge(steps.length);
      },
    );
    this.current = run;
    // stopped before the ramp began (Ctrl-C while setting up): its run starts stopped
    if (this.interrupted) run.stop(this.interruptDrainMs);
    const result = await run.run();
    // Without a stop every step ran to its end (its close may not have been reported: a worker that
    // is done before the planned end reports none); after one, a step the stop cut short is not judged.
    if (!this.interrupted) while (steps.length < ramp.rates.length && !stoppedOnBreak) judge(steps.length);
    const cutShort = emptyStats();
    for (const stats of open.values()) mergeStats(cutShort, stats.due);
    const outcome = rampOutcome(steps);
    const refineSteps =
      ramp.refine && outcome.outcome === 'broke' && outcome.heldRate !== null
        ? await this.refine(outcome.heldRate, outcome.stoppedAt!)
        : [];
    return {
      result: { ...result, interrupted: this.interrupted },
      report: { steps, cutShort: stepCounts(cutShort), refineSteps, outcome, breakingPoint: breakingPointOf(outcome, refineSteps) },
    };
  }

  /** Bisects between a held and a broken rate with steps half as long (at least 1 s). */
  private async refine(heldRate: number, brokeRate: number): Promise<StepReport[]> {
    const refineMs = Math.max(1000, this.ramp.stepMs / 2);
    const reports: StepReport[] = [];
    let held = heldRate;
    let broke = brokeRate;
    // the refining runs are counted on after the ramp's steps
    let place = this.ramp.rates.length;
    for (let rate = nextRefineRate(held, broke); rate !== null && !this.interrupted; rate = nextRefineRate(held, broke)) {
      // as in the ramp: every request of the step, but its pace only over its own time (not the drain after it)
      const step: StepStats = { due: emptyStats(), during: emptyStats() };
      const boxes = new AgentPhases();
      const where = { step: place++, offeredRate: rate };
      const run = this.makeRun(
        { ...this.base, load: { kind: 'rate', segments: [{ durationMs: refineMs, fromRate: rate, toRate: rate }] } },
        (interval, parts) => {
          this.onInterval(interval, parts, where);
          boxes.add(interval, parts, refineMs);
          for (const part of interval.steps) mergeStats(step.due, part);
          if (interval.startMs < refineMs) mergeStats(step.during, interval);
        },
      );
      this.current = run;
      const result = await run.run();
      if (result.interrupted || this.interrupted) break;
      const report = this.judgeBoxes(
        stepReport(step, rate, refineMs / 1000, this.inflightCapacity, this.criteria, true),
        boxes,
        0,
        refineMs / 1000,
      );
      reports.push(report);
      this.onStep(report);
      if (report.verdict === 'held') held = rate;
      else if (report.verdict === 'broke') broke = rate;
      else break; // the generator, not the server: bisecting further would measure this machine
    }
    return reports;
  }
}
