/**
 * The run's full garbage collections set V8's --expose-gc only when the first one is due: with the
 * flag set, V8 refuses Node's compiled built-in modules, and every thread started after it compiles
 * them again (run/garbage-collection.ts). A file of its own, so that its process has set no flag
 * before it looks: a context made after the flag is set has `gc`, one made before has not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { collectGarbageEvery } from '../../engine/run/garbage-collection.js';

const gcExposed = (): boolean => vm.runInNewContext('typeof gc') === 'function';

test('collections asked for every period set no V8 flag before the first is due, and set it then', { timeout: 20_000 }, async () => {
  assert.equal(gcExposed(), false, 'this process set --expose-gc before the test');
  let asked = 0;
  const stop = collectGarbageEvery(300, () => {
    asked++;
    return true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(gcExposed(), false, 'the flag was set before any collection was due');
  while (asked < 1) await new Promise((resolve) => setTimeout(resolve, 50));
  stop();
  assert.equal(gcExposed(), true, 'the first collection due set the flag');
});
