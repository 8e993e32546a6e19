/**
 * The merge across load boxes, and what is judged and reported per box: pure, no network. The
 * wire path is the real one: worker recorders -> each box's IntervalMerger -> encodeStats -> a JSON
 * line -> decodeSnapshot -> the controller's IntervalMerger, a box being one source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentGeneratorLimit, AgentPhases } from '../../engine/verdict/box-verdict.js';
import { IntervalMerger } from '../../engine/measure/interval-merger.js';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import type { RemoteResult } from '../../engine/run/contract.js';
import { WorkerLedger } from '../../engine/run/worker-loss.js';
import { agentLines } from '../../engine/report/text/agents-text.js';
import { generatorVerdict } from '../../engine/report/text/text.js';
import { RunAccumulator } from '../../engine/run/run-accumulator.js';
import { decodeSnapshot, emptyStats, encodeStats, mergeStats, newHistogram, type IntervalStats } from '../../engine/measure/snapshot.js';
import { distribution } from '../../engine/measure/statistics.js';
import { summarize } from '../../engine/summary/summary.js';
import { seededRandom } from '../helpers/seeded-random.js';

test('merged across boxes, the histogram equals one built from every value, and counts are the sums', () => {
  const random = seededRandom(11);
  const reference = newHistogram();
  const accumulated = new RunAccumulator();
  const emitted: number[] = [];
  const controller = new IntervalMerger(2, (interval) => {
    emitted.push(interval.interval);
    accumulated.add(interval);
  });
  const perBox = [0, 0];
  for (let box = 0; box < 2; box++) {
    // the box's own merge of its two workers, forwarded as one JSON line per interval (agent.ts)
    const lines: string[] = [];
    const agentMerger = new IntervalMerger(2, (interval) =>
      lines.push(JSON.stringify({ type: 'snapshot', runId: 1, snapshot: encodeStats(interval) })),
    );
    for (let interval = 0; interval < 3; interval++) {
      for (let worker = 0; worker < 2; worker++) {
        const recorder = new IntervalRecorder();
        const count = 500 + Math.floor(random() * 500);
        for (let i = 0; i < count; i++) {
          // boxes differ on purpose: box 1 is slower, with a longer tail
          const latencyMs = box === 0 ? 1 + random() * 3 : random() < 0.05 ? 50 + random() * 950 : 5 + random() * 10;
          recorder.recordSent(0, random());
          recorder.recordResponse(0, 200, 10, 0, 0, latencyMs);
          reference.recordValue(Math.round(latencyMs * 1000));
        }
        perBox[box]! += count;
        agentMerger.add(
          worker,
          decodeSnapshot(JSON.parse(JSON.stringify(recorder.takeSnapshot(interval, 0, interval * 1000, interval * 1000 + 1000)))),
        );
      }
    }
    agentMerger.finish(0);
    agentMerger.finish(1);
    assert.equal(lines.length, 3, 'one line per interval from each box');
    for (const line of lines)
      controller.add(box, decodeSnapshot((JSON.parse(line) as { snapshot: Parameters<typeof decodeSnapshot>[0] }).snapshot));
  }
  controller.finish(0);
  controller.finish(1);
  assert.deepEqual(emitted, [0, 1, 2], 'each interval once, in order');
  const { total } = accumulated;
  assert.equal(total.counts.success, perBox[0]! + perBox[1]!);
  assert.equal(total.counts.scheduled, total.counts.success);
  assert.equal(total.sources, 6, "three intervals from two boxes: a box's snapshot is one source");
  assert.equal(total.histograms.latencyUs.totalCount, reference.totalCount);
  assert.deepEqual(distribution(total.histograms.latencyUs, 1000), distribution(reference, 1000));
  assert.equal(accumulated.points().length, 3);
});

test("a lost box's requests in flight become interrupted failures, so the accounting holds after the merge", () => {
  const total = emptyStats();
  Object.assign(total.counts, { scheduled: 100, dropped: 3, requests: 90, success: 88, failure: 2 });
  total.errors = { timeout: 2 };
  const ledger = new WorkerLedger(1, null);
  ledger.add(total);
  const correction = ledger.lost()!;
  assert.deepEqual(
    { requests: correction.counts.requests, failure: correction.counts.failure, errors: correction.errors },
    { requests: 7, failure: 7, errors: { interrupted: 7 } },
  );
  assert.equal(correction.counts.scheduled, 0, 'nothing more was due');
  const whole = emptyStats();
  Object.assign(whole.counts, { scheduled: 10, requests: 10, success: 10 });
  const wholeLedger = new WorkerLedger(1, null);
  wholeLedger.add(whole);
  assert.equal(wholeLedger.lost(), null, 'a box that reported everything needs nothing');
});

/** Stats of one box over `seconds`: `rate` due per second, answered, with a given scheduler lag. */
function boxStats(rate: number, seconds: number, lagMs: number, busy = 0.1): IntervalStats {
  const stats = emptyStats(0, 0, 0, seconds * 1000);
  const n = rate * seconds;
  Object.assign(stats.counts, {
    scheduled: n,
    requests: n,
    responses: n,
    success: n,
    generatorBusyMs: busy * seconds * 1000,
    generatorObservedMs: seconds * 1000,
  });
  stats.sources = 1;
  for (let i = 0; i < n; i++) {
    stats.histograms.lagUs.recordValue(lagMs * 1000);
    stats.histograms.latencyUs.recordValue(2000);
    stats.histograms.serviceUs.recordValue(1000);
  }
  return stats;
}

/** A whole run's stats as a step's two views: its requests by due time and its time are the same. */
const bothViews = (stats: IntervalStats) => ({ due: stats, during: stats });

/** An interval of a box whose requests were all due in `step`, as its step part says. */
function dueIn(step: number, stats: IntervalStats): IntervalStats {
  stats.steps = [mergeStats(emptyStats(stats.interval, step), stats)];
  return stats;
}

test('each box is judged on its own figures: a lagging box is generator-limited even when the merge is not', () => {
  assert.equal(agentGeneratorLimit(bothViews(boxStats(100, 2, 0.5)), 2, 100), null);
  assert.match(agentGeneratorLimit(bothViews(boxStats(100, 2, 20)), 2, 100)!, /scheduler lag p99 20 ms > 5 ms/);
  assert.equal(agentGeneratorLimit(bothViews(emptyStats()), 2, 100), null, 'a box that had nothing to do kept up');

  const phases = new AgentPhases();
  const part = (agent: string, stats: IntervalStats | null, lost = false) => ({ agent, workers: 1, share: 1 / 3, stats, lost });
  phases.add(emptyStats(0, 0, 0, 1000), [
    part('a', dueIn(0, boxStats(100, 1, 0.2))),
    part('b', dueIn(0, boxStats(100, 1, 30))),
    part('c', dueIn(0, boxStats(100, 1, 0.2))),
  ]);
  phases.add(emptyStats(1, 1, 1000, 2000), [
    part('a', dueIn(1, boxStats(100, 1, 0.2))),
    part('b', dueIn(1, boxStats(100, 1, 0.2))),
    part('c', null, true),
  ]);
  const criteria = { maxErrorRate: 0.01, minAchievedRatio: 0.95, sloP99Ms: null, lagBoundMs: 5, busyBound: 0.9 };
  assert.match(phases.limitReason(0, 1, 100, criteria)!, /^load box b: scheduler lag p99 30 ms > 5 ms$/);
  assert.equal(phases.limitReason(1, 1, 100, criteria), 'load box c was lost');
  phases.forget(0);
  assert.equal(phases.limitReason(0, 1, 100, criteria), null, 'forgotten');
  phases.add(emptyStats(5, 2, 5000, 6000), undefined);
  assert.equal(phases.limitReason(2, 1, 100, criteria), null, 'a local run has no boxes');
});

test('the summary and text list every box under the merge, name the limiting box and the lost one', () => {
  const offsets = [
    { offsetMs: 0.4, rttMs: 0.3, uncertaintyMs: 0.15 },
    { offsetMs: -2.5, rttMs: 1, uncertaintyMs: 0.5 },
    { offsetMs: 1, rttMs: 0.2, uncertaintyMs: 0.1 },
  ];
  const remote: RemoteResult = {
    agents: [
      {
        agent: 'load@box1',
        workers: 2,
        share: 0.4,
        inflightCapacity: 200,
        clock: offsets[0]!,
        total: boxStats(200, 2, 0.3),
        lost: null,
        shipped: true,
        setupS: 1.2345,
      },
      {
        agent: 'load@box2',
        workers: 2,
        share: 0.4,
        inflightCapacity: 200,
        clock: offsets[1]!,
        total: boxStats(200, 2, 12),
        lost: null,
        shipped: false,
        setupS: 0.4,
      },
      {
        agent: 'box3:2222',
        workers: 1,
        share: 0.2,
        inflightCapacity: 100,
        clock: offsets[2]!,
        total: boxStats(100, 1, 0.2),
        lost: { atS: 1.04, message: 'the connection or the agent ended abruptly' },
        shipped: null,
        setupS: 0.25,
      },
    ],
    abortedOnAgentLoss: false,
  };
  const total = emptyStats();
  for (const box of remote.agents) {
    // the merge of the three, as the controller's merger would have it
    const copy = emptyStats();
    for (const key of ['scheduled', 'requests', 'responses', 'success'] as const) copy.counts[key] = box.total.counts[key];
    copy.histograms.lagUs.add(box.total.histograms.lagUs);
    copy.histograms.latencyUs.add(box.total.histograms.latencyUs);
    copy.sources = 1;
    total.counts.scheduled += copy.counts.scheduled;
    total.counts.requests += copy.counts.requests;
    total.counts.responses += copy.counts.responses;
    total.counts.success += copy.counts.success;
    total.histograms.lagUs.add(copy.histograms.lagUs);
    total.histograms.latencyUs.add(copy.histograms.latencyUs);
  }
  const summary = summarize(
    { mode: 'rate', target: 'http://10.0.0.9/', workers: 5, offered: 500, plannedS: 2 },
    {
      series: [],
      total,
      interrupted: false,
      workerFailures: [],
      elapsedS: 2,
      remote,
    },
  );
  const boxes = summary.remote!.agents;
  assert.deepEqual(
    boxes.map((box) => box.achieved),
    [200, 200, 50],
  );
  assert.deepEqual(
    boxes.map((box) => box.generatorLimited),
    [false, true, false],
  );
  assert.equal(summary.remote!.clockOffsetMs, -2.5);
  assert.equal(summary.remote!.clockUncertaintyMs, 0.5);
  assert.equal(boxes[2]!.lost!.atS, 1);
  assert.deepEqual(
    boxes.map((box) => [box.shipped, box.setupS]),
    [
      [true, 1.235],
      [false, 0.4],
      [null, 0.25],
    ],
    'how each agent came to run, and its set-up seconds',
  );
  assert.match(generatorVerdict(summary), /^Generator: could NOT keep up on load box load@box2 \(scheduler lag p99 12 ms > 5 ms\)/);

  const lines = agentLines(summary);
  assert.equal(lines[1], 'Load boxes: 3, clocks corrected by up to 2.50 ms (every start right within 0.50 ms)');
  assert.match(lines[2]!, /^ {4}load box +agent +workers +achieved\/s +requests +errors +p99 ms +lag p99 +busy +generator$/);
  assert.match(lines[3]!, /^ {4}load@box1 +shipped 1\.2 s +2 +200 +400 +0 +2\.00 +0\.30 +10\.0% +kept up$/);
  assert.match(lines[4]!, /^ {4}load@box2 +cached 0\.4 s +2 .* could NOT keep up$/);
  assert.match(lines[5]!, /^ {4}box3:2222 +command 0\.3 s +1 .* lost at 1\.0 s$/);
  assert.equal(lines[6], 'Load box box3:2222 was lost at 1.0 s: the connection or the agent ended abruptly (its data up to then is kept)');
  assert.deepEqual(agentLines({ ...summary, remote: undefined }), [], 'a local run lists no boxes');

  const closed = summarize(
    { mode: 'clients', target: 'x', workers: 5, offered: null, plannedS: 2 },
    { series: [], total, interrupted: false, workerFailures: [], elapsedS: 2, remote },
  );
  assert.ok(
    closed.remote!.agents.every((box) => !box.generatorLimited),
    'a closed loop has no schedule to miss',
  );

  const lenient = summarize(
    { mode: 'rate', target: 'x', workers: 5, offered: 500, plannedS: 2, maxLagMs: 20 },
    { series: [], total, interrupted: false, workerFailures: [], elapsedS: 2, remote },
  );
  assert.equal(lenient.schedulerLagMs.bound, 20);
  assert.deepEqual(
    lenient.remote!.agents.map((box) => box.generatorLimited),
    [false, false, false],
    '--max-lag 20ms: a box 12 ms late kept up',
  );
  assert.match(
    generatorVerdict({ ...lenient, remote: undefined, schedulerLagMs: { ...lenient.schedulerLagMs, p99: 25 } }),
    /could NOT keep up: scheduler lag p99 25\.0 ms > 20 ms \(--max-lag\)/,
  );
});
