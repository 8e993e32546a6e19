/**
 * Endurance against a real failover: the bundled target server is killed (SIGKILL) in the middle
 * of a run and started again on the same port. The run must survive it and report exactly one
 * outage, as long as the target was really away, with the requests lost in it, and latency back
 * to its baseline afterwards.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';
import type { Outage, Drift } from '../../engine/verdict/endurance.js';

const targets: SpawnedTarget[] = [];

async function spawnOnFreeLowPort(): Promise<SpawnedTarget> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnTarget([], { port: 20_000 + Math.floor(Math.random() * 10_000) });
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** The same port again; the old server's sockets may hold it for a moment after SIGKILL. */
async function spawnAgain(port: number): Promise<SpawnedTarget> {
  const deadline = performance.now() + 5000;
  for (;;) {
    try {
      return await spawnTarget([], { port });
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
after(async () => {
  for (const target of targets) await target.stop();
});

test('a target killed and restarted mid-run is one outage of the right length, and the run goes on', async (t) => {
  // a port below the ephemeral range, so no client socket of the run can be sitting on it
  const first = await spawnOnFreeLowPort();
  targets.push(first);
  const port = Number(new URL(first.url).port);
  let killedAt = 0;
  let backAt = 0;
  let killAfterLoad!: (loadS: number) => void;
  const restart = new Promise<void>((resolve, reject) => {
    // timed from the load's start (its first progress line), not from the spawn: killed at 2 s
    // of the measured run, started again 2 s later
    killAfterLoad = (loadS) =>
      setTimeout(
        () => {
          first.child.kill('SIGKILL');
          killedAt = performance.now();
          setTimeout(() => {
            spawnAgain(port).then((second) => {
              backAt = performance.now();
              targets.push(second);
              resolve();
            }, reject);
          }, 2000);
        },
        2000 - loadS * 1000,
      );
  });
  const { summary } = await runSummary(
    [`${first.url}/hello`, '--rate', '400', '--duration', '8s', '--endurance', '--workers', '1', '--timeout', '2s'],
    { limitMs: 30_000, onLoadStarted: killAfterLoad },
  );
  await restart;
  const downS = (backAt - killedAt) / 1000;
  const { outages, drift } = summary as unknown as { outages: Outage[]; drift: Drift | null };

  t.diagnostic(`target away ${downS.toFixed(2)} s; outages ${JSON.stringify(outages)}; errors ${JSON.stringify(summary.totals.errors)}`);
  assert.equal(outages.length, 1, `exactly one outage: ${JSON.stringify(outages)}`);
  const [outage] = outages;
  // 250 ms intervals, edges placed within them: well under a second of error
  assert.ok(Math.abs(outage!.durationS - downS) < 0.6, `outage ${outage!.durationS} s, target away ${downS.toFixed(2)} s`);
  // killed 2 s into the load (a little later when the progress line came late)
  assert.ok(outage!.startS > 1.75 && outage!.startS < 3 && outage!.endS < 7.5, `outage within the run: ${outage!.startS}..${outage!.endS}`);
  // about 400 req/s were lost while it was away
  assert.ok(outage!.failed > 0.6 * 400 * downS && outage!.failed < 1.4 * 400 * downS + 50, `failed ${outage!.failed}`);
  assert.notEqual(outage!.recoveryS, null, 'latency came back to its baseline');
  assert.ok(outage!.recoveryS! < 2, `recovery ${outage!.recoveryS} s`);

  // nothing lost from the counts (the invariants were asserted by runSummary); only connection errors
  const classes = Object.keys(summary.totals.errors).filter((key) => (summary.totals.errors as Record<string, number>)[key]! > 0);
  assert.ok(classes.includes('refused'), `refused while away: ${classes}`);
  for (const name of classes) assert.ok(['refused', 'reset', 'timeout'].includes(name), `unexpected class ${name}`);
  // success resumed on new keep-alive connections: the last second is all success
  const tail = summary.intervals.filter((interval) => interval.startS >= 7);
  assert.ok(tail.length >= 3 && tail.every((interval) => interval.failure === 0 && interval.success > 0), JSON.stringify(tail));
  assert.equal(drift, null, 'an 8 s run is too short for a drift verdict');
});
