/** Which step a due time falls in, how many steps have ended, and when steps close: tables, no network. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedSteps, StepTimeline } from '../../engine/measure/step-timeline.js';

test('a due time falls in the step whose span [start, end) holds it', () => {
  // three steps of 1 s, then one of 500 ms: ends at 1000, 2000, 3000, 3500
  const table: Array<{ dueMs: number; step: number; why: string }> = [
    { dueMs: 0, step: 0, why: 'the measured start' },
    { dueMs: 999.999, step: 0, why: 'just before the first boundary' },
    { dueMs: 1000, step: 1, why: 'a boundary belongs to the step that begins there' },
    { dueMs: 1500, step: 1, why: 'inside' },
    { dueMs: 2999.5, step: 2, why: 'inside the third' },
    { dueMs: 3000, step: 3, why: 'the last step begins' },
    { dueMs: 3499, step: 3, why: 'inside the last' },
    { dueMs: 3500, step: 3, why: 'past the planned end: the last step' },
    { dueMs: 10_000, step: 3, why: 'far past the planned end: still the last' },
    { dueMs: 500, step: 0, why: 'back to an earlier time: the cursor moves back' },
    { dueMs: -200, step: 0, why: 'before the start: the first step' },
  ];
  const timeline = new StepTimeline([1000, 1000, 1000, 500]);
  assert.equal(timeline.count, 4);
  for (const row of table) assert.equal(timeline.stepOf(row.dueMs), row.step, `${row.dueMs} ms: ${row.why}`);
});

test('a run without phases (a closed loop bound by a request count) is one step that never ends', () => {
  const timeline = new StepTimeline([]);
  assert.equal(timeline.count, 1);
  for (const dueMs of [0, 1e3, 1e9]) assert.equal(timeline.stepOf(dueMs), 0);
  assert.equal(timeline.stepsEndedBy(1e12), 0);
});

test('steps ended by a time: those whose planned end is at or before it', () => {
  const timeline = new StepTimeline([1000, 1000, 1000]);
  const table: Array<[ms: number, ended: number]> = [
    [0, 0],
    [999, 0],
    [1000, 1],
    [2500, 2],
    [3000, 3],
    [Number.POSITIVE_INFINITY, 3],
  ];
  for (const [ms, ended] of table) assert.equal(timeline.stepsEndedBy(ms), ended, `by ${ms} ms`);
  // asked again out of order (the scheduler and the recorder ask of the same timeline): the same answers
  for (const [ms, ended] of [...table].reverse()) assert.equal(timeline.stepsEndedBy(ms), ended, `back to ${ms} ms`);
});

test('steps close in order, each once it is closable and none of its requests is in flight', () => {
  const table: Array<{ before: number; closable: number; inflight: number[]; closed: number; why: string }> = [
    { before: 0, closable: 0, inflight: [0, 0], closed: 0, why: 'nothing has ended or been issued yet' },
    { before: 0, closable: 1, inflight: [0, 0], closed: 1, why: 'the first step ended with nothing in flight' },
    { before: 0, closable: 1, inflight: [3, 0], closed: 0, why: 'its slowest requests are still in flight' },
    { before: 0, closable: 2, inflight: [1, 0], closed: 0, why: 'a step still open holds back the ones after it' },
    { before: 0, closable: 2, inflight: [0, 2], closed: 1, why: 'the second step waits for its own requests' },
    { before: 1, closable: 3, inflight: [0, 0, 0], closed: 3, why: 'counting on from the steps already closed' },
    { before: 2, closable: 3, inflight: [5, 0, 0], closed: 3, why: 'a closed step stays closed' },
    { before: 0, closable: 2, inflight: [], closed: 2, why: 'steps with no request sent at all' },
    { before: 0, closable: 1, inflight: [-1], closed: 1, why: 'ends recorded without their sends are not in flight' },
  ];
  for (const row of table) assert.equal(closedSteps(row.before, row.closable, row.inflight), row.closed, row.why);
});
