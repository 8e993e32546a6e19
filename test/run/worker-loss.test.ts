import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalMerger } from '../../engine/measure/interval-merger.js';
import { emptyStats, mergeStats, type IntervalStats } from '../../engine/measure/snapshot.js';
import { WORKER_LOST_KEY, WorkerLedger } from '../../engine/run/worker-loss.js';

/** One interval of one worker with these counts. */
function interval(index: number, counts: { scheduled: number; requests: number; success: number; dropped?: number }): IntervalStats {
  const stats = emptyStats(index, 0, index * 1000, (index + 1) * 1000);
  stats.sources = 1;
  Object.assign(stats.counts, { dropped: 0, ...counts, failure: counts.requests - counts.success });
  if (counts.requests > counts.success) stats.errors.timeout = counts.requests - counts.success;
  return stats;
}

test('the ledger knows what a worker had in flight as of its last snapshot', () => {
  const ledger = new WorkerLedger(1);
  assert.equal(ledger.lost(), null, 'nothing reported, nothing lost');
  ledger.add(interval(0, { scheduled: 100, requests: 60, success: 60, dropped: 10 }));
  assert.equal(ledger.outstanding, 30);
  ledger.add(interval(1, { scheduled: 100, requests: 110, success: 100 }));
  assert.equal(ledger.outstanding, 20);
  const lost = ledger.lost()!;
  assert.equal(lost.interval, 2, 'in the interval after its last one');
  assert.equal(lost.startMs, 2000);
  assert.deepEqual([lost.counts.scheduled, lost.counts.requests, lost.counts.failure, lost.counts.success], [0, 20, 20, 0]);
  assert.deepEqual(lost.errors, { interrupted: 20 });
  assert.deepEqual(lost.errorCodes, { [WORKER_LOST_KEY]: 20 });
  assert.equal(ledger.lost(), null, 'counted once');
});

test('merged with the survivors, the run balances again: scheduled = requests + dropped', () => {
  const total = emptyStats();
  const emitted: number[] = [];
  const merger = new IntervalMerger(2, (stats) => {
    emitted.push(stats.interval);
    mergeStats(total, stats);
  });
  const dying = new WorkerLedger(1);
  const first = interval(0, { scheduled: 50, requests: 35, success: 35, dropped: 5 });
  dying.add(first);
  merger.add(0, first);
  merger.add(1, interval(0, { scheduled: 50, requests: 50, success: 50 }));
  // worker 0 dies during interval 1; worker 1 goes on to the end
  merger.add(0, dying.lost()!);
  merger.finish(0);
  merger.add(1, interval(1, { scheduled: 50, requests: 50, success: 50 }));
  merger.finish(1);
  const { scheduled, requests, dropped, success, failure } = total.counts;
  assert.equal(scheduled, 150);
  assert.equal(scheduled, requests + dropped);
  assert.equal(requests, success + failure);
  assert.equal(total.errors.interrupted, 10);
  assert.deepEqual(emitted, [0, 1], 'nothing held back');
});

test('what a dead worker had in flight is counted in the steps it was due in, and it closes every step', () => {
  const ledger = new WorkerLedger(3);
  // interval 4 of step 1: 10 requests of step 0 still in flight, and 30 of step 1
  const stats = interval(4, { scheduled: 60, requests: 25, success: 25, dropped: 5 });
  stats.phase = 1;
  const part = (step: number, counts: { scheduled: number; requests: number; dropped: number }) => {
    const of = emptyStats(4, step, 4000, 5000);
    Object.assign(of.counts, { ...counts, success: counts.requests });
    return of;
  };
  stats.steps = [part(0, { scheduled: 10, requests: 0, dropped: 0 }), part(1, { scheduled: 50, requests: 25, dropped: 5 })];
  ledger.add(stats);
  const lost = ledger.lost()!;
  assert.equal(lost.counts.requests, 30);
  assert.deepEqual(
    lost.steps.map((step) => [
      step.phase,
      step.counts.requests,
      step.counts.failure,
      step.errors.interrupted,
      step.errorCodes[WORKER_LOST_KEY],
    ]),
    [
      [0, 10, 10, 10, 10],
      [1, 20, 20, 20, 20],
    ],
  );
  assert.equal(lost.stepsClosed, 3, 'nothing more will come from it: it holds no step open');
});
