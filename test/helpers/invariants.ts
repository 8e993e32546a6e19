/**
 * The accounting every run must satisfy, asserted after every integration run of the engine:
 * scheduled = requests + dropped, requests = success + failure, every failure in exactly one
 * known class, the intervals adding up to the totals (what was merged over time is what was
 * merged in all), each connection opened with its protocol, bounded tallies, and no NaN, Infinity or sentinel anywhere in the summary or
 * in the text report.
 */
import assert from 'node:assert/strict';
import { MAX_DISTINCT_KEYS } from '../../engine/measure/capped-tally.js';
import { ERROR_CLASSES } from '../../engine/measure/snapshot.js';
import type { Summary } from '../../engine/summary/summary.js';

const COUNTERS = ['scheduled', 'requests', 'success', 'failure', 'dropped'] as const;

const sum = (values: Iterable<number | undefined>): number => {
  let total = 0;
  for (const value of values) total += value ?? 0;
  return total;
};

export function assertInvariants(summary: Summary): void {
  const { totals } = summary;
  assert.equal(totals.scheduled, totals.requests + totals.dropped, 'scheduled = requests + dropped');
  assert.equal(totals.requests, totals.success + totals.failure, 'requests = success + failure');
  assert.equal(sum(Object.values(totals.errors)), totals.failure, 'every failure is in exactly one error class');
  for (const name of Object.keys(totals.errors))
    assert.ok((ERROR_CLASSES as readonly string[]).includes(name), `unknown error class "${name}"`);
  const responses = sum(Object.values(totals.statusCodes));
  assert.ok(responses <= totals.requests, 'status codes count only requests that got a response');
  if (totals.errorCodes) {
    assert.ok(sum(Object.values(totals.errorCodes)) <= totals.failure, 'error codes count only failures');
    assert.ok(Object.keys(totals.errorCodes).length <= MAX_DISTINCT_KEYS + 1, 'error codes are capped');
  }
  assert.ok(Object.keys(totals.statusCodes).length <= MAX_DISTINCT_KEYS + 1, 'status codes are capped');
  for (const counter of COUNTERS) {
    assert.equal(
      sum(summary.intervals.map((interval) => interval[counter])),
      totals[counter],
      `the intervals' ${counter} add up to the total`,
    );
  }
  for (const interval of summary.intervals) {
    assert.equal(sum(Object.values(interval.errors)), interval.failure, `interval at ${interval.t} s: every failure in one class`);
  }
  // every connection opened agreed to one protocol; over TLS to one version too, and none over plain TCP
  const { connections } = summary;
  assert.equal(sum(Object.values(connections.protocols)), connections.opened, 'each connection opened has its protocol');
  const overTls = sum(Object.values(connections.tlsVersions));
  assert.ok(overTls === 0 || overTls === connections.opened, `${overTls} of ${connections.opened} connections have a TLS version`);
  assert.equal(connections.connectMs.p50 === null, connections.opened === 0, 'a connect time for the connections opened');
  assertFinite(summary, 'summary');
}

/** No NaN, no Infinity, no MAX_SAFE_INTEGER-style sentinels, at any depth. */
export function assertFinite(value: unknown, path: string): void {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
    assert.ok(Math.abs(value) < 2 ** 52, `${path} looks like a sentinel: ${value}`);
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) assertFinite(item, `${path}[${i}]`);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertFinite(item, `${path}.${key}`);
  }
}

/** The same for a text report: figures that do not exist read `n/a`, never NaN or a sentinel. */
export function assertCleanText(text: string): void {
  assert.doesNotMatch(text, /NaN|Infinity|undefined|null|9007199254740991|9,007,199,254,740,991|1\.797\d*e\+308/, text);
}
