/**
 * The generator's own delay, measured in each worker: the event loop's delay and GC pauses, from
 * Node's own monitors, and end to end a worker thread held on purpose (helpers/stall-worker-hook.ts)
 * that the summary must name. Bounds are wide: two shared cores.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import { decodeSnapshot } from '../../engine/measure/snapshot.js';
import { generatorDelay } from '../../engine/measure/statistics.js';
import { GeneratorDelayMonitor } from '../../engine/run/generator-delay.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';

const HOOK = new URL('../helpers/stall-worker-hook.js', import.meta.url).href;

const hold = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the monitor sees a held event loop and GC pauses, and starts each interval afresh', async () => {
  const recorder = new IntervalRecorder();
  const monitor = new GeneratorDelayMonitor(recorder);
  monitor.start();
  await sleep(100);
  hold(120);
  // garbage enough for a few scavenges
  let kept = 0;
  for (let i = 0; i < 300_000; i++) kept += [i, { i }].length;
  assert.ok(kept > 0);
  await sleep(100);
  monitor.flush();
  const held = generatorDelay(decodeSnapshot(recorder.takeSnapshot(0, 0, 0, 400)));
  assert.ok(held.loopMax! >= 100 && held.loopMax! < 1000, `loop delay max ${held.loopMax} ms after holding the loop 120 ms`);
  assert.ok(held.loopP99! >= 50, `loop delay p99 ${held.loopP99} ms: the hold was a quarter of the time`);
  assert.ok(held.gcPauseTotal! > 0 && held.gcPauseMax! > 0, `GC pauses ${held.gcPauseTotal} ms, longest ${held.gcPauseMax} ms`);
  await sleep(200);
  monitor.flush();
  monitor.stop();
  const next = generatorDelay(decodeSnapshot(recorder.takeSnapshot(1, 0, 400, 600)));
  assert.ok(next.loopMax! < 100, `the next interval does not carry the hold: max ${next.loopMax} ms`);
});

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

test('a worker held 300 ms mid-run: its scheduler lag shows it, and the summary says the generator could not keep up, naming its loop delay', async () => {
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim(),
    STALL_HOOK_THREAD: '1',
    STALL_HOOK_AFTER_MS: '1500',
    STALL_HOOK_FOR_MS: '300',
  };
  // 1 worker at a low rate: the hold is 7.5% of the 4 s run, well past 1% of its moments
  const args = [`${target.url}/hello`, '--rate', '200', '--duration', '4s', '--warmup', '0', '--workers', '1'];
  const { summary, run } = await runSummary(args, { limitMs: 30_000, env });
  assert.match(run.stderr, /stall-worker-hook: held worker thread 1 300 ms/, 'the hold happened');
  const delay = summary.generatorDelayMs;
  assert.ok(delay.loopMax! >= 250 && delay.loopMax! < 2000, `loop delay max ${delay.loopMax} ms`);
  assert.ok(delay.loopP99! >= 150, `loop delay p99 ${delay.loopP99} ms`);
  assert.ok(delay.gcPauseTotal! >= 0 && delay.gcPauseMax! >= 0);
  // the scheduler slept through the hold too: the requests due in it left up to 300 ms late (about
  // 60 of 800, so the slowest 1% were all over 200 ms late), and its lag says so
  const lag = summary.schedulerLagMs;
  assert.ok(lag.max! >= 250 && lag.max! < 2000, `scheduler lag max ${lag.max} ms`);
  assert.ok(lag.p99! >= 150, `scheduler lag p99 ${lag.p99} ms`);
  const [generator] = (summary as typeof summary & { verdicts: string[] }).verdicts;
  assert.match(generator!, /^Generator: could NOT keep up: .*event loop delay p99 \d+ ms beside a latency p99 of \d+ ms/);
  assert.match(generator!, /\(event loop delay p99 \d+ ms, max \d+ ms; GC pauses [\d.]+ ms in all, longest [\d.]+ ms\)$/);
});
