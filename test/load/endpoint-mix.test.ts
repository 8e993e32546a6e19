import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycleSlots, MAX_CYCLE, mixCycle, WorkerMix } from '../../engine/load/endpoint-mix.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** The largest distance, over every window of 1 to 2 cycles starting anywhere in the cycle, between an endpoint's count and its share. */
function worstWindow(cycle: Uint8Array, slots: readonly number[]): number {
  const total = cycle.length;
  let worst = 0;
  for (let start = 0; start < total; start++) {
    const counts = new Array<number>(slots.length).fill(0);
    for (let n = 1; n <= 2 * total; n++) {
      counts[cycle[(start + n - 1) % total]!]!++;
      for (let e = 0; e < slots.length; e++) worst = Math.max(worst, Math.abs(counts[e]! - (n * slots[e]!) / total));
    }
  }
  return worst;
}

test('cycle slots: the weights as the smallest whole numbers in the same ratio', () => {
  const table: Array<{ why: string; weights: number[]; slots: number[] }> = [
    { why: 'whole weights, already smallest', weights: [1, 2, 7], slots: [1, 2, 7] },
    { why: 'a common factor goes', weights: [10, 20, 70], slots: [1, 2, 7] },
    { why: 'fractions are made whole', weights: [0.5, 1.5], slots: [1, 3] },
    { why: 'one endpoint: one slot', weights: [42], slots: [1] },
    { why: 'equal weights: one each', weights: [3, 3, 3], slots: [1, 1, 1] },
  ];
  for (const row of table) assert.deepEqual(cycleSlots(row.weights), row.slots, row.why);
});

test('cycle slots: a ratio that needs more than MAX_CYCLE slots is rounded to MAX_CYCLE, each endpoint keeping one', () => {
  const slots = cycleSlots([1, 1_000_000, 333_333.3]);
  assert.equal(
    slots.reduce((a, b) => a + b, 0),
    MAX_CYCLE,
  );
  assert.equal(slots[0], 1, 'the tiny weight keeps its one slot');
  assert.ok(Math.abs(slots[1]! / slots[2]! - 3) < 0.001, `the ratio of the others is kept: ${slots}`);
});

test('mix cycle: each endpoint gets exactly its slots per cycle, spread out, the same on every call', () => {
  const table: Array<{ slots: number[]; cycle: string }> = [
    // endpoint 2 (weight 7) never runs more than twice in a row; 0 and 1 are spread between
    { slots: [1, 2, 7], cycle: '2122022122' },
    { slots: [1, 1], cycle: '01' },
    { slots: [2, 3], cycle: '10101' },
    { slots: [1], cycle: '0' },
  ];
  for (const row of table) {
    const cycle = mixCycle(row.slots);
    assert.equal(Array.from(cycle).join(''), row.cycle, `slots ${row.slots}`);
    assert.deepEqual(Array.from(mixCycle(row.slots)), Array.from(cycle), 'deterministic');
  }
});

test('mix cycle: over every window of consecutive requests, each endpoint is within 2 of its share (within 1 for 1:2:7)', () => {
  assert.ok(worstWindow(mixCycle([1, 2, 7]), [1, 2, 7]) <= 1, '1:2:7');
  assert.ok(worstWindow(mixCycle([1, 1]), [1, 1]) <= 0.5, '1:1');
  const random = seededRandom(2024);
  for (let run = 0; run < 60; run++) {
    const endpoints = 2 + Math.floor(random() * 8);
    const slots = Array.from({ length: endpoints }, () => 1 + Math.floor(random() * 12));
    const cycle = mixCycle(slots);
    for (let e = 0; e < endpoints; e++) assert.equal(cycle.filter((x) => x === e).length, slots[e], `slots ${slots}: whole cycle exact`);
    const worst = worstWindow(cycle, slots);
    assert.ok(worst < 2, `slots ${slots}: a window is ${worst} from its share`);
  }
});

test('worker mixes: the workers (and load boxes) together send exactly the global sequence, interleaved like the schedule', () => {
  const weights = [1, 2, 7];
  const global = new WorkerMix(weights, 0, 1);
  for (const slotCount of [1, 2, 3, 4, 7, 10, 12]) {
    const workers = Array.from({ length: slotCount }, (_, slot) => new WorkerMix(weights, slot, slotCount));
    const requests = 1000;
    // global request i is worker (i mod W)'s request floor(i / W), as pacer.ts interleaves them
    const union: number[] = [];
    for (let i = 0; i < requests; i++) union.push(workers[i % slotCount]!.endpointOf(Math.floor(i / slotCount)));
    const expected = Array.from({ length: requests }, (_, i) => global.endpointAt(i));
    assert.deepEqual(union, expected, `${slotCount} slots`);
    const counts = [0, 1, 2].map((e) => union.filter((x) => x === e).length);
    assert.deepEqual(counts, [100, 200, 700], `${slotCount} slots: exactly 1:2:7 over 100 cycles`);
  }
});

test('worker mix without a mix: every request is the one endpoint', () => {
  const mix = new WorkerMix([], 1, 3);
  for (let i = 0; i < 10; i++) assert.equal(mix.endpointOf(i), 0);
});
