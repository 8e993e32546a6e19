/**
 * The run's full garbage collections (run/garbage-collection.ts), in this thread's real V8 heap: a
 * collection is taken on the period given and none after it is stopped, seen by V8's own GC
 * entries (perf_hooks), and what it collects is really gone.
 */
import assert from 'node:assert/strict';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { test } from 'node:test';
import { collectGarbageEvery, fullCollection, mostlyIdleSinceLastCall } from '../../engine/run/garbage-collection.js';

const MAJOR = constants.NODE_PERFORMANCE_GC_MAJOR;

function majorCollections(entries: readonly PerformanceEntry[]): number {
  return entries.filter((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === MAJOR).length;
}

test('V8 gives this thread its full collection, and it collects what nothing holds', async () => {
  const collect = fullCollection();
  assert.equal(typeof collect, 'function');
  let held: object | null = { payload: new Array(1000).fill('x') };
  const weak = new WeakRef(held);
  held = null;
  // a WeakRef's target is kept until the end of the current job
  await new Promise((resolve) => setImmediate(resolve));
  collect!();
  assert.equal(weak.deref(), undefined);
});

test('a collection on every period, and none once stopped', { timeout: 20_000 }, async () => {
  const seen: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const stop = collectGarbageEvery(100);
  const deadline = Date.now() + 10_000;
  while (majorCollections(seen) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  stop();
  assert.ok(majorCollections(seen) >= 3, `major collections in the periods: ${majorCollections(seen)}`);
  // entries are delivered after the collection: let the last ones in, then count afresh
  await new Promise((resolve) => setTimeout(resolve, 150));
  const before = majorCollections(seen);
  await new Promise((resolve) => setTimeout(resolve, 500));
  observer.disconnect();
  assert.equal(majorCollections(seen), before, 'a collection after stop');
});

test('a period whose condition says no takes no collection', { timeout: 20_000 }, async () => {
  const seen: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  let asked = 0;
  const stop = collectGarbageEvery(50, () => {
    asked++;
    return false;
  });
  while (asked < 5) await new Promise((resolve) => setTimeout(resolve, 20));
  stop();
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  assert.equal(majorCollections(seen), 0);
});

test('a worker counts as mostly idle after an idle period, and not after a busy one', async () => {
  const mostlyIdle = mostlyIdleSinceLastCall();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(mostlyIdle(), true);
  // busy: the loop runs JavaScript for 200 ms without a break
  const until = performance.now() + 200;
  while (performance.now() < until);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(mostlyIdle(), false);
});
