/**
 * Fault 11: the generator runs out of file descriptors (`ulimit -n 128` for 2 x 200 connections;
 * the process itself needs some 100 descriptors to load its modules, which Node opens at once).
 * The requests that could not get a socket are the generator's errors (`generator`, EMFILE),
 * kept apart from the target's, and one line on stderr says which limit to raise.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

test("out of file descriptors: generator errors, not the target's, and a one-line warning naming ulimit -n", async () => {
  // answers take 100 ms, so 2,000 req/s need about 200 connections at once: more than the 128 fds leave
  const { summary, run } = await runSummary(
    [`${target.url}/delay/100`, '--rate', '2000', '--duration', '2s', '--warmup', '0', '--workers', '2', '--connections', '200'],
    { limitMs: 30_000, openFiles: 128 },
  );
  const { totals } = summary;
  assert.ok((totals.errors.generator ?? 0) > 0, JSON.stringify(totals.errors));
  assert.deepEqual(Object.keys(totals.errors), ['generator'], 'the target itself did nothing wrong');
  assert.equal(totals.errorCodes.EMFILE, totals.errors.generator);
  assert.ok(totals.success > 0, 'the connections that could be opened still worked');
  const warnings = run.stderr.split('\n').filter((line) => line.startsWith('stress: warning:'));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(
    warnings[0]!,
    /^stress: warning: [\d,]+ requests failed on this machine's own limits, not the target's: too many open files \(EMFILE\): raise `ulimit -n` \(now 128\) or lower --connections$/,
  );
});

test('no warning when the machine had what it needed', async () => {
  const { summary, run } = await runSummary([`${target.url}/hello`, '--rate', '200', '--duration', '500ms', '--warmup', '0'], {
    limitMs: 30_000,
  });
  assert.equal(summary.totals.errors.generator, undefined);
  assert.doesNotMatch(run.stderr, /warning/);
});
