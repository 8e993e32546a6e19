/** What the controller accepts of a load box's step fields before merging them: a table, no network. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotProblem } from '../../engine/remote/agent-protocol.js';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import type { Snapshot } from '../../engine/measure/snapshot.js';
import { StepTimeline } from '../../engine/measure/step-timeline.js';

/** A box's snapshot as the wire carries it: three steps, answers of step 0 and 1 in one interval. */
function wire(): Snapshot {
  const recorder = new IntervalRecorder(new StepTimeline([1000, 1000, 1000]));
  recorder.recordSent(0, 0);
  recorder.recordResponse(0, 200, 10, 0, 0, 1200);
  recorder.recordSent(1, 0);
  recorder.recordDropped(1);
  recorder.recordResponse(1, 200, 10, 1000, 1000, 1001);
  recorder.stepsIssued(1);
  return JSON.parse(JSON.stringify(recorder.takeSnapshot(1, 1, 1000, 2000))) as Snapshot;
}

test("a box's snapshot is merged only when its step fields hold together", () => {
  const table: Array<{ why: string; change: (snapshot: Snapshot) => void; problem: RegExp | null }> = [
    { why: 'as the agent sends it', change: () => undefined, problem: null },
    { why: 'every step closed', change: (s) => (s.stepsClosed = 3), problem: null },
    { why: 'no stepsClosed', change: (s) => delete s.stepsClosed, problem: /^stepsClosed undefined is not a whole number from 0 to 3$/ },
    { why: 'more steps closed than the run has', change: (s) => (s.stepsClosed = 4), problem: /^stepsClosed 4 / },
    { why: 'a fraction', change: (s) => (s.stepsClosed = 0.5), problem: /^stepsClosed 0\.5 / },
    { why: 'a string', change: (s) => ((s as unknown as { stepsClosed: string }).stepsClosed = '1'), problem: /^stepsClosed "1" / },
    { why: 'no step parts', change: (s) => delete s.steps, problem: /^a snapshot without step parts$/ },
    {
      why: 'a part that is not an object',
      change: (s) => s.steps!.push(null as unknown as Snapshot),
      problem: /^a step part that is not an object$/,
    },
    {
      why: 'a part of a step the run does not have',
      change: (s) => (s.steps![1]!.phase = 3),
      problem: /^a step part of step 3, not of the run's 3$/,
    },
    {
      why: 'a part without a step',
      change: (s) => delete (s.steps![0] as Partial<Snapshot>).phase,
      problem: /^a step part of step undefined/,
    },
    { why: 'two parts of one step', change: (s) => (s.steps![1]!.phase = 0), problem: /^two parts of step 0$/ },
    {
      why: 'a part without counts',
      change: (s) => delete (s.steps![0] as Partial<Snapshot>).counts,
      problem: /^the part of step 0 has no counts$/,
    },
    {
      why: 'a negative count',
      change: (s) => (s.steps![0]!.counts.requests = -1),
      problem: /^the part of step 0: requests is -1, not a count$/,
    },
    {
      why: 'histograms not encoded',
      change: (s) => ((s.steps![0]!.histograms as unknown as Record<string, unknown>).latencyUs = 5),
      problem: /^the part of step 0 has histograms that are not encoded$/,
    },
    {
      why: "parts that do not add up to the interval's counters",
      change: (s) => (s.steps![1]!.counts.dropped = 0),
      problem: /^the step parts' dropped add up to 0, the interval's is 1$/,
    },
    {
      why: 'an interval without counts',
      change: (s) => ((s as { counts: unknown }).counts = null),
      problem: /^the interval has no counts$/,
    },
  ];
  for (const row of table) {
    const snapshot = wire();
    row.change(snapshot);
    const problem = snapshotProblem(snapshot, 3);
    if (row.problem === null) assert.equal(problem, null, row.why);
    else assert.match(problem ?? 'no problem', row.problem, row.why);
  }
  assert.match(snapshotProblem(null as unknown as Snapshot, 3)!, /not an object/);
});
