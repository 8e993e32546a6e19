/** One load box's part of a merged interval: what the per-box verdicts judge step by step. */
import type { IntervalStats } from './snapshot.js';

export interface AgentPart {
  agent: string;
  workers: number;
  /** the box's share of the run's workers (and so of its rate), 0..1 */
  share: number;
  /** what it reported for this interval; null when it reported nothing */
  stats: IntervalStats | null;
  /** true when it reported nothing because it was lost */
  lost: boolean;
}
