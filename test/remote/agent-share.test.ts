/** Splitting a run across load boxes: slots, and the proof that the boxes together run the plan exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentSpec, assignSlots, shareOfSlots, slotCap } from '../../engine/remote/agent-share.js';
import { ArrivalSchedule, shareOf, workerShare, type RateSegment } from '../../engine/load/pacer.js';
import type { RunSpec } from '../../engine/run/contract.js';

const baseSpec = (load: RunSpec['load']): RunSpec => ({
  target: { url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, bodyBase64: null },
  load,
  workers: 1,
  connections: 64,
  timeoutMs: 1000,
  maxInflight: 100,
  intervalMs: 1000,
  warmupMs: 0,
});

test('slots: consecutive per box; a cap deals round-robin so every box keeps one while it can', () => {
  const table: Array<{ counts: number[]; cap: number | null; workers: number[] }> = [
    { counts: [4, 2, 8], cap: null, workers: [4, 2, 8] },
    { counts: [4, 2, 8], cap: 5, workers: [2, 2, 1] },
    { counts: [4, 2, 8], cap: 9, workers: [4, 2, 3] },
    { counts: [1, 1, 1], cap: 2, workers: [1, 1, 0] },
    { counts: [3], cap: 100, workers: [3] },
  ];
  for (const row of table) {
    const slots = assignSlots(row.counts, row.cap);
    assert.deepEqual(
      slots.map((slot) => slot.workers),
      row.workers,
      JSON.stringify(row),
    );
    const total = row.workers.reduce((a, b) => a + b, 0);
    let first = 0;
    for (const slot of slots) {
      assert.equal(slot.first, first);
      assert.equal(slot.total, total);
      first += slot.workers;
    }
  }
  assert.equal(shareOfSlots({ workers: 2, first: 0, total: 8 }), 0.25);
  assert.equal(slotCap(baseSpec({ kind: 'clients', clients: 3, requests: null, durationMs: 1000 })), 3);
  assert.equal(slotCap(baseSpec({ kind: 'rate', segments: [] })), null);
});

test("property: the boxes' worker schedules interleave into exactly the one global schedule", () => {
  const schedules: RateSegment[][] = [
    [{ durationMs: 3000, fromRate: 1000, toRate: 1000 }],
    [
      { durationMs: 1000, fromRate: 100, toRate: 100 },
      { durationMs: 1000, fromRate: 733, toRate: 733 },
      { durationMs: 500, fromRate: 50, toRate: 2000 },
    ],
  ];
  for (const segments of schedules) {
    for (const boxes of [[1, 1], [3, 1, 2], [7]]) {
      const global = new ArrivalSchedule(segments);
      const due: number[] = [];
      for (const slot of assignSlots(boxes, null)) {
        for (let worker = 0; worker < slot.workers; worker++) {
          const schedule = workerShare(segments, slot.first + worker, slot.total);
          for (let hit = 0; hit < schedule.totalHits; hit++) due.push(schedule.dueTimeMs(hit));
        }
      }
      assert.equal(due.length, global.totalHits, `boxes ${boxes}: hit count`);
      due.sort((a, b) => a - b);
      for (let hit = 0; hit < global.totalHits; hit++) {
        assert.ok(
          Math.abs(due[hit]! - global.dueTimeMs(hit)) < 1e-6,
          `boxes ${boxes}: hit ${hit} at ${due[hit]} vs ${global.dueTimeMs(hit)}`,
        );
      }
    }
  }
});

test("a box's spec: its workers and slots, the start on its own clock, closed-loop clients shared exactly", () => {
  const spec = baseSpec({ kind: 'clients', clients: 10, requests: 1001, durationMs: null });
  const slots = assignSlots([2, 2, 4], slotCap(spec));
  const specs = slots.map((slot, box) => agentSpec(spec, slot, 50_000, { offsetMs: box * 100 - 100, rttMs: 1, uncertaintyMs: 0.5 }));
  assert.deepEqual(
    specs.map((s) => s.startAtEpochMs),
    [49_900, 50_000, 50_100],
  );
  assert.deepEqual(
    specs.map((s) => s.workers),
    [2, 2, 4],
  );
  assert.deepEqual(
    specs.map((s) => s.workerSlots),
    [
      { first: 0, total: 8 },
      { first: 2, total: 8 },
      { first: 4, total: 8 },
    ],
  );
  assert.ok(
    specs.every((s) => s.connections === 2),
    'one connection per client of the busiest worker',
  );
  let clients = 0;
  let requests = 0;
  for (let slot = 0; slot < 8; slot++) {
    clients += shareOf(10, slot, 8);
    requests += shareOf(1001, slot, 8);
  }
  assert.equal(clients, 10);
  assert.equal(requests, 1001);
  const rate = agentSpec(baseSpec({ kind: 'rate', segments: [] }), slots[0]!, 0, { offsetMs: 0, rttMs: 0, uncertaintyMs: 0 });
  assert.equal(rate.connections, 64, "an open loop keeps the plan's connections per worker");
});
