/**
 * Fault 9: a worker thread dies. It is reported (which worker, when), what it reported before is
 * kept, what it had in flight is counted as `interrupted` so the totals still add up, the other
 * workers carry on, and nothing hangs, even when a worker dies before the start. The death comes
 * from outside the engine: a test preload (helpers/crash-worker-hook.ts) kills one thread.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runStress, runSummary } from '../helpers/stress-cli.js';

const HOOK = new URL('../helpers/crash-worker-hook.js', import.meta.url).href;

function crashing(afterMs: number, mode: 'throw' | 'exit'): NodeJS.ProcessEnv {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim(),
    CRASH_HOOK_THREAD: '1',
    CRASH_HOOK_AFTER_MS: String(afterMs),
    CRASH_HOOK_MODE: mode,
  };
}

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

test('a worker that throws mid-run: reported, its data kept, its requests in flight counted as interrupted', async () => {
  // answers take 300 ms, so the dying worker always has requests in flight
  const args = [`${target.url}/delay/300`, '--rate', '600', '--duration', '3s', '--warmup', '0', '--workers', '2'];
  const { summary, run } = await runSummary(args, { limitMs: 30_000, env: crashing(2000, 'throw') });
  assert.equal(summary.workerFailures.length, 1, JSON.stringify(summary.workerFailures));
  const [failure] = summary.workerFailures;
  assert.ok(failure!.workerIndex === 0 || failure!.workerIndex === 1);
  assert.ok(failure!.atS > 0.5 && failure!.atS < 3, `died at ${failure!.atS} s`);
  assert.match(failure!.message, /crash-worker-hook: thread 1 killed/);
  const { totals } = summary;
  // The survivor's 900 requests all succeed, and what the dead one reported is kept: its whole
  // 1 s intervals (what it finished in its last, unreported one dies with it). The hook's clock
  // starts with the thread, not the run, so the share is judged from when it died: at 300 req/s
  // with 300 ms answers, about 300 * (whole seconds - 0.3); half of that, for a busy machine.
  const deadShare = Math.floor(0.5 * 300 * Math.max(0, Math.floor(failure!.atS) - 0.3));
  assert.ok(totals.success >= 900 + deadShare, `success ${totals.success}, died at ${failure!.atS} s`);
  assert.ok(totals.scheduled > 900 && totals.scheduled < 1800, `scheduled ${totals.scheduled}: the dead worker's share stopped`);
  assert.ok((totals.errors.interrupted ?? 0) > 0, 'its requests in flight are not lost');
  assert.equal(totals.errorCodes.STRESS_ERR_WORKER_LOST, totals.errors.interrupted);
  assert.ok(run.elapsedMs < 3000 + 5000, `took ${run.elapsedMs} ms`);
});

test('a worker that exits, and one that dies before the start: reported, no hang, the text report says so', async () => {
  const args = [`${target.url}/hello`, '--rate', '200', '--duration', '2s', '--warmup', '0', '--workers', '2'];
  const [exited, early, text] = await Promise.all([
    runSummary(args, { limitMs: 30_000, env: crashing(1200, 'exit') }),
    runSummary(args, { limitMs: 30_000, env: crashing(0, 'throw') }),
    runStress([...args, '--quiet'], 30_000, undefined, { env: crashing(1200, 'exit') }),
  ]);
  assert.match(exited.summary.workerFailures[0]?.message ?? '', /exited with code: 3/);
  assert.ok(exited.summary.totals.success >= 200, `success ${exited.summary.totals.success}: at least the survivor's share`);
  // a worker lost before the start must not hold the others back until the test's limit
  assert.equal(early.summary.workerFailures.length, 1);
  assert.equal(early.summary.workerFailures[0]!.atS, 0, 'before the start');
  assert.equal(early.summary.totals.success, 200, 'the survivor did its share');
  assert.ok(early.run.elapsedMs < 2000 + 5000, `took ${early.run.elapsedMs} ms`);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Worker [01] failed at \d+\.\d s: worker exited with code: 3 \(its data up to then is kept\)$/m);
});
