/**
 * Generator-limited, per load box. Pure.
 *
 * A merged figure can hide one weak box: when one box of ten falls behind, its late requests
 * are a tenth of the merge and the merged lag p99 may still look fine, yet the server was not
 * offered the plan. So every box is judged on its own figures by the same generator criteria as
 * a step (breaking-point.ts), and the merged verdict is generator-limited when any box was,
 * naming it. A box lost during a step makes the step generator-limited too: the rate it should
 * have offered was not offered.
 */
import { DEFAULT_CRITERIA, judgeStep, stepFigures, type Criteria } from './breaking-point.js';
import type { AgentPart } from '../measure/agent-part.js';
import { emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';

/**
 * Why a box's own figures over `durationS` say it could not keep up, or null. What it was due to
 * offer is what its schedule made due (its share of the plan).
 */
export function agentGeneratorLimit(
  stats: IntervalStats,
  durationS: number,
  inflightCapacity: number,
  criteria: Criteria = DEFAULT_CRITERIA,
): string | null {
  const { scheduled } = stats.counts;
  if (scheduled === 0 || !(durationS > 0)) return null;
  const judgement = judgeStep(stepFigures(stats, scheduled / durationS, durationS, inflightCapacity), criteria);
  return judgement.verdict === 'generator-limited' ? judgement.reason : null;
}

/** Each box's part of each phase (ramp step), to judge the boxes step by step. */
export class AgentPhases {
  private readonly phases = new Map<number, Map<string, { workers: number; stats: IntervalStats; lost: boolean }>>();

  /** Adds a merged interval's parts; intervals from `ignoreFromMs` on (the drain after the plan) are left out. */
  add(interval: IntervalStats, parts: readonly AgentPart[] | undefined, ignoreFromMs = Number.POSITIVE_INFINITY): void {
    if (!parts || interval.startMs >= ignoreFromMs) return;
    let boxes = this.phases.get(interval.phase);
    if (!boxes) {
      boxes = new Map();
      this.phases.set(interval.phase, boxes);
    }
    for (const part of parts) {
      let box = boxes.get(part.agent);
      if (!box) {
        box = { workers: part.workers, stats: emptyStats(), lost: false };
        boxes.set(part.agent, box);
      }
      if (part.stats) mergeStats(box.stats, part.stats);
      box.lost ||= part.lost;
    }
  }

  /**
   * Why the phase cannot be blamed on the server because of a box (lost, or limited on its own
   * figures), naming every such box; null when every box kept up or there are no boxes.
   */
  limitReason(phase: number, durationS: number, maxInflightPerWorker: number, criteria: Criteria): string | null {
    const boxes = this.phases.get(phase);
    if (!boxes) return null;
    const reasons: string[] = [];
    for (const [agent, box] of boxes) {
      if (box.lost) {
        reasons.push(`load box ${agent} was lost`);
        continue;
      }
      const limit = agentGeneratorLimit(box.stats, durationS, maxInflightPerWorker * box.workers, criteria);
      if (limit) reasons.push(`load box ${agent}: ${limit}`);
    }
    return reasons.length === 0 ? null : reasons.join('; ');
  }

  /** Forgets a judged phase: memory holds only the phases in progress. */
  forget(phase: number): void {
    this.phases.delete(phase);
  }
}
