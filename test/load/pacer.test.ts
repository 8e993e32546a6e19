import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalSchedule, workerShare } from '../../engine/load/pacer.js';
import { seededRandom } from '../helpers/seeded-random.js';

const constant = (rate: number, durationMs: number) => [{ durationMs, fromRate: rate, toRate: rate }];

test('constant rate: due times and counts, as a table', () => {
  const schedule = new ArrivalSchedule(constant(10, 1000)); // 10 hits/s for 1 s
  const table: Array<{ why: string; elapsedMs: number; due: number }> = [
    { why: 'the first hit is due at once', elapsedMs: 0, due: 1 },
    { why: 'nothing more until 100 ms', elapsedMs: 99.9, due: 1 },
    { why: 'the second at 100 ms', elapsedMs: 100, due: 2 },
    { why: 'half way: 6 hits (0, 100 ... 500 ms)', elapsedMs: 500, due: 6 },
    { why: 'the last hit is due at 900 ms', elapsedMs: 950, due: 10 },
    { why: 'never more than the total', elapsedMs: 5000, due: 10 },
    { why: 'before the start: none', elapsedMs: -1, due: 0 },
  ];
  for (const row of table) assert.equal(schedule.hitsDueBy(row.elapsedMs), row.due, row.why);
  assert.equal(schedule.totalHits, 10);
  assert.deepEqual(
    [0, 1, 9].map((i) => schedule.dueTimeMs(i)),
    [0, 100, 900],
  );
  assert.throws(() => schedule.dueTimeMs(10), RangeError);
});

test('steps: the rate changes at the step boundary', () => {
  const schedule = new ArrivalSchedule([
    { durationMs: 1000, fromRate: 10, toRate: 10 },
    { durationMs: 1000, fromRate: 20, toRate: 20 },
  ]);
  assert.equal(schedule.totalHits, 30);
  assert.equal(schedule.dueTimeMs(9), 900, 'last hit of step 1');
  assert.equal(schedule.dueTimeMs(10), 1000, 'first hit of step 2 at its start');
  assert.equal(schedule.dueTimeMs(11), 1050, 'then every 50 ms');
  assert.equal(schedule.hitsDueBy(1999), 30);
});

test('linear ramp: arrivals follow the integral of the rate', () => {
  // 0 -> 100 req/s over 2 s: A(t) = 25 t^2, so 100 hits, hit i due at sqrt(i / 25) s.
  const schedule = new ArrivalSchedule([{ durationMs: 2000, fromRate: 0, toRate: 100 }]);
  assert.equal(schedule.totalHits, 100);
  for (const i of [1, 4, 25, 99]) {
    assert.ok(Math.abs(schedule.dueTimeMs(i) - Math.sqrt(i / 25) * 1000) < 1e-6, `hit ${i}`);
  }
  assert.equal(schedule.hitsDueBy(1000), 26, 'A(1 s) = 25, so hits 0..25 are due');
});

test('worker shares interleave into the global schedule and add up exactly', () => {
  const share0 = workerShare(constant(1000, 1000), 0, 2);
  const share1 = workerShare(constant(1000, 1000), 1, 2);
  assert.deepEqual([share0.dueTimeMs(0), share1.dueTimeMs(0), share0.dueTimeMs(1), share1.dueTimeMs(1)], [0, 1, 2, 3]);
  assert.equal(share0.totalHits + share1.totalHits, 1000);
});

test('property: for random rates, durations and worker counts, shares sum to ceil(R*T) and due times are monotone', () => {
  const random = seededRandom(12345);
  for (let run = 0; run < 300; run++) {
    const rate = Math.round(random() * 50_000 * 100) / 100 + 0.5;
    const durationMs = Math.round(random() * 5000) + 1;
    const workers = 1 + Math.floor(random() * 8);
    const expected = Math.ceil(Math.round(rate * durationMs) / 1000 - 1e-9);
    let total = 0;
    for (let w = 0; w < workers; w++) {
      const share = workerShare(constant(rate, durationMs), w, workers);
      total += share.totalHits;
      let previous = -Infinity;
      for (let i = 0; i < share.totalHits; i += Math.max(1, Math.floor(share.totalHits / 50))) {
        const due = share.dueTimeMs(i);
        assert.ok(due >= previous && due < durationMs, `due ${due} in [${previous}, ${durationMs})`);
        assert.equal(share.hitsDueBy(due), i + 1, `hit ${i} is counted as due at its own due time`);
        previous = due;
      }
    }
    assert.equal(total, expected, `rate ${rate} for ${durationMs} ms over ${workers} workers`);
  }
});

test('a warm-up and the run after it at one rate are one stretch: the same hits at the same times as one segment', () => {
  const seeded = seededRandom(7);
  for (let trial = 0; trial < 50; trial++) {
    const rate = 1 + Math.floor(seeded() * 60_000);
    const warmupMs = 1 + Math.floor(seeded() * 2000);
    const runMs = 1 + Math.floor(seeded() * 10_000);
    const offset = seeded();
    const split = new ArrivalSchedule([...constant(rate, warmupMs), ...constant(rate, runMs)], offset);
    const whole = new ArrivalSchedule(constant(rate, warmupMs + runMs), offset);
    assert.equal(split.totalHits, whole.totalHits, `rate ${rate}, ${warmupMs} + ${runMs} ms`);
    for (const index of [0, 1, Math.floor(whole.totalHits / 2), whole.totalHits - 1].filter((i) => i >= 0 && i < whole.totalHits))
      assert.equal(split.dueTimeMs(index), whole.dueTimeMs(index), `hit ${index} at ${rate}/s`);
  }
  // a ramp's steps keep their own rates
  const steps = new ArrivalSchedule([...constant(10, 1000), ...constant(20, 1000)]);
  assert.equal(steps.totalHits, 30);
  assert.equal(steps.dueTimeMs(10), 1000, 'the first hit of the second step is due at its start');
});

test('a segment with a negative length or rate is refused, even beside one of its rate', () => {
  assert.throws(() => new ArrivalSchedule([...constant(100, -500), ...constant(100, 1000)]), RangeError);
  assert.throws(() => new ArrivalSchedule([...constant(100, 1000), { durationMs: 1000, fromRate: 100, toRate: -1 }]), RangeError);
});
