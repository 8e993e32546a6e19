/**
 * The young generation each worker is given (run/worker-heap.ts): small for a lean worker at a low
 * rate, so that a stall cannot grow it for the rest of a long run; large wherever the worker's CPU
 * is what is measured, for undici, and for a closed loop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSpec } from '../../engine/run/contract.js';
import {
  LARGE_YOUNG_GENERATION_MB,
  peakRatePerWorker,
  SMALL_HEAP_RATE,
  SMALL_YOUNG_GENERATION_MB,
  youngGenerationMb,
} from '../../engine/run/worker-heap.js';

const rate = (...rates: Array<[number, number]>): RunSpec['load'] => ({
  kind: 'rate',
  segments: rates.map(([fromRate, toRate]) => ({ durationMs: 1000, fromRate, toRate })),
});

test('the peak rate per worker: the highest rate of any segment, split evenly; none for a closed loop', () => {
  const cases: Array<[RunSpec['load'], number, number | null]> = [
    [rate([1000, 1000]), 1, 1000],
    [rate([100, 100], [2000, 8000], [4000, 4000]), 2, 4000],
    [rate([6000, 0]), 3, 2000],
    [{ kind: 'clients', clients: 10, requests: null, durationMs: 1000 }, 2, null],
  ];
  for (const [load, workers, expected] of cases) assert.equal(peakRatePerWorker(load, workers), expected, JSON.stringify(load));
});

test('the young generation: small for a lean worker up to its rate, large above it, for undici and for a closed loop', () => {
  const cases: Array<[Parameters<typeof youngGenerationMb>, number]> = [
    [['lean', 1000], SMALL_YOUNG_GENERATION_MB],
    [['lean', SMALL_HEAP_RATE], SMALL_YOUNG_GENERATION_MB],
    [['lean', SMALL_HEAP_RATE + 1], LARGE_YOUNG_GENERATION_MB],
    [['lean', 60_000], LARGE_YOUNG_GENERATION_MB],
    [['lean', null], LARGE_YOUNG_GENERATION_MB],
    [['undici', 1000], LARGE_YOUNG_GENERATION_MB],
    [['undici', null], LARGE_YOUNG_GENERATION_MB],
  ];
  for (const [args, expected] of cases) assert.equal(youngGenerationMb(...args), expected, JSON.stringify(args));
  assert.ok(SMALL_YOUNG_GENERATION_MB < LARGE_YOUNG_GENERATION_MB);
});
