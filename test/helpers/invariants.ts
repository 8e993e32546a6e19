/**
 * The accounting every run must satisfy, asserted after every integration run of the engine:
 * scheduled = requests + dropped, requests = success + failure, every failure in exactly one
 * class, and no NaN, Infinity or sentinel anywhere in the summary.
 */
import assert from 'node:assert/strict';
import type { Summary } from '../../engine/summary.js';

export function assertInvariants(summary: Summary): void {
  const { totals } = summary;
  assert.equal(totals.scheduled, totals.requests + totals.dropped, 'scheduled = requests + dropped');
  assert.equal(totals.requests, totals.success + totals.failure, 'requests = success + failure');
  const classified = Object.values(totals.errors).reduce((sum: number, n) => sum + (n ?? 0), 0);
  assert.equal(classified, totals.failure, 'every failure is in exactly one error class');
  const responses = Object.values(totals.statusCodes).reduce((sum, n) => sum + n, 0);
  assert.ok(responses <= totals.requests, 'status codes count only requests that got a response');
  assertFinite(summary, 'summary');
}

/** No NaN, no Infinity, no MAX_SAFE_INTEGER-style sentinels, at any depth. */
export function assertFinite(value: unknown, path: string): void {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
    assert.ok(Math.abs(value) < 2 ** 52, `${path} looks like a sentinel: ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertFinite(item, `${path}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertFinite(item, `${path}.${key}`);
  }
}
