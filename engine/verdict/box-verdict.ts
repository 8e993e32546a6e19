/**
 * Generator-limited, per load box. Pure.
 *
 * A merged figure can hide one weak box: when one box of ten falls behind, its late requests
 * are a tenth of the merge and the merged lag p99 may still look fine, yet the server was not
 * offered the plan. So every box is judged on its own figures by the same generator criteria as
 * a step (breaking-point.ts), and the merged verdict is generator-limited when any box was,
 * naming it. A box lost during a step makes the step generator-limited too: the rate it should
 * have offered was not offered. A box's step is its part of the step's two views (breaking-point.ts
 * StepStats): its requests due in the step, and what it did while the step ran.
 */
import { DEFAULT_CRITERIA, judgeStep, stepFigures, type Criteria, type StepStats } from './breaking-point.js';
import type { AgentPart } from '../measure/agent-part.js';
import { emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';

/**
 * Why a box's own figures over `durationS` say it could not keep up, or null. What it was due to
 * offer is what its schedule made due (its share of the plan).
 */
export function agentGeneratorLimit(
  step: StepStats,
  durationS: number,
  inflightCapacity: number,
  criteria: Criteria = DEFAULT_CRITERIA,
): string | null {
  const { scheduled } = step.due.counts;
  if (scheduled === 0 || !(durationS > 0)) return null;
  const judgement = judgeStep(stepFigures(step, scheduled / durationS, durationS, inflightCapacity), criteria);
  return judgement.verdict === 'generator-limited' ? judgement.reason : null;
}

interface BoxStep extends StepStats {
  workers: number;
  lost: boolean;
}

/** Each box's part of each step (ramp phase), to judge the boxes step by step. */
export class AgentPhases {
  private readonly steps = new Map<number, Map<string, BoxStep>>();

  /**
   * Adds a merged interval's parts: to the phase it lies in, unless it starts at `ignoreFromMs` or
   * later (the drain after the plan), and its step parts to their steps, wherever it lies.
   */
  add(interval: IntervalStats, parts: readonly AgentPart[] | undefined, ignoreFromMs = Number.POSITIVE_INFINITY): void {
    if (!parts) return;
    for (const part of parts) {
      if (interval.startMs < ignoreFromMs) {
        const box = this.box(interval.phase, part);
        if (part.stats) mergeStats(box.during, part.stats);
        box.lost ||= part.lost;
      }
      for (const stepPart of part.stats?.steps ?? []) mergeStats(this.box(stepPart.phase, part).due, stepPart);
    }
  }

  private box(step: number, part: AgentPart): BoxStep {
    let boxes = this.steps.get(step);
    if (!boxes) {
      boxes = new Map();
      this.steps.set(step, boxes);
    }
    let box = boxes.get(part.agent);
    if (!box) {
      box = { workers: part.workers, due: emptyStats(), during: emptyStats(), lost: false };
      boxes.set(part.agent, box);
    }
    return box;
  }

  /**
   * Why the step cannot be blamed on the server because of a box (lost, or limited on its own
   * figures), naming every such box; null when every box kept up or there are no boxes.
   */
  limitReason(step: number, durationS: number, maxInflightPerWorker: number, criteria: Criteria): string | null {
    const boxes = this.steps.get(step);
    if (!boxes) return null;
    const reasons: string[] = [];
    for (const [agent, box] of boxes) {
      if (box.lost) {
        reasons.push(`load box ${agent} was lost`);
        continue;
      }
      const limit = agentGeneratorLimit(box, durationS, maxInflightPerWorker * box.workers, criteria);
      if (limit) reasons.push(`load box ${agent}: ${limit}`);
    }
    return reasons.length === 0 ? null : reasons.join('; ');
  }

  /** Forgets a judged step: memory holds only the steps in progress. */
  forget(step: number): void {
    this.steps.delete(step);
  }
}
