/**
 * Merges interval snapshots from many sources (worker threads, load boxes) by interval number.
 * An interval is complete, and handed on, once every source still running has reported it;
 * a source that ends (or dies) no longer holds the others back. Completion does not depend
 * on any shared clock tick, only on the numbers. Memory holds only the intervals in progress.
 *
 * A merged interval's steps are closed only as far as every one of its sources closed them: a
 * source that has not reported an interval is still running and holds it back, one that ended is
 * done with every step.
 */
import { emptyStats, mergeStats, resetStats, type IntervalStats } from './snapshot.js';

export class IntervalMerger {
  private readonly merged = new Map<number, IntervalStats>();
  /** highest interval number each source has reported */
  private readonly reportedUpTo: number[];
  private readonly finished: boolean[];
  private emittedUpTo = -1;
  /** a merged interval handed on and emptied, for the next interval to fill (with `reuse`) */
  private spare: IntervalStats | null = null;
  /** its step parts, emptied, for the steps of the next intervals (with `reuse`) */
  private readonly spareParts: IntervalStats[] = [];

  /**
   * `reuse`: each merged interval is emptied and filled again by a later interval once
   * `onComplete` returns, so `onComplete` (and whatever it calls) must copy what it keeps. A new
   * one each interval gave the primary's own run megabytes of count arrays a minute that only a
   * garbage collection returned (see SnapshotDecoder).
   */
  constructor(
    sourceCount: number,
    private readonly onComplete: (interval: IntervalStats) => void,
    private readonly reuse = false,
  ) {
    this.reportedUpTo = new Array<number>(sourceCount).fill(-1);
    this.finished = new Array<boolean>(sourceCount).fill(false);
  }

  add(source: number, stats: IntervalStats): void {
    let slot = this.merged.get(stats.interval);
    if (!slot) {
      slot = this.spare ?? emptyStats();
      this.spare = null;
      this.merged.set(stats.interval, slot);
    }
    slot.stepsClosed = slot.sources === 0 ? stats.stepsClosed : Math.min(slot.stepsClosed, stats.stepsClosed);
    mergeStats(slot, stats, this.reuse ? this.spareParts : null);
    this.reportedUpTo[source] = Math.max(this.reportedUpTo[source]!, stats.interval);
    this.emitComplete();
  }

  /** The source will report nothing more. */
  finish(source: number): void {
    this.finished[source] = true;
    this.emitComplete();
  }

  private emitComplete(): void {
    let completeUpTo = Number.POSITIVE_INFINITY;
    for (let source = 0; source < this.reportedUpTo.length; source++) {
      if (!this.finished[source]) completeUpTo = Math.min(completeUpTo, this.reportedUpTo[source]!);
    }
    if (completeUpTo === Number.POSITIVE_INFINITY) completeUpTo = Math.max(-1, ...this.merged.keys());
    for (let interval = this.emittedUpTo + 1; interval <= completeUpTo; interval++) {
      const stats = this.merged.get(interval);
      // handed on and forgotten: the merger holds only intervals still being reported
      this.merged.delete(interval);
      if (stats) {
        this.onComplete(stats);
        if (this.reuse) {
          resetStats(stats, this.spareParts);
          this.spare = stats;
        }
      }
    }
    this.emittedUpTo = Math.max(this.emittedUpTo, completeUpTo);
  }
}
