/** Merged intervals -> the run's total and series, as every kind of run accumulates them. */
import { IntervalSeries, type IntervalPoint } from '../measure/interval-series.js';
import { emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';

export class RunAccumulator {
  readonly total = emptyStats();
  private readonly series = new IntervalSeries();

  add(interval: IntervalStats): void {
    mergeStats(this.total, interval);
    this.series.add(interval);
  }

  points(): IntervalPoint[] {
    return this.series.points();
  }
}
