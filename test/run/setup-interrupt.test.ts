/**
 * The README's Ctrl-C during the set-up of a local run, end to end: no load at all is sent, the
 * summary is empty and marked interrupted, and the exit code is 130. A test hook holds a thread
 * at its start so the signal lands while the run is being set up: the load worker (before it
 * reports ready), or the bundled target's thread (before the run's workers exist).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { runStress } from '../helpers/stress-cli.js';

const HOOK = new URL('../helpers/hold-thread-start-hook.js', import.meta.url).href;
const HOLD_MS = 1500;
const HOLDING = /hold-thread-start-hook: holding thread 1/;

/** Runs stress with thread 1 held at its start, and sends SIGINT as soon as the hook says it holds it. */
async function interruptedDuringSetUp(
  args: string[],
): Promise<{ summary: Summary; stderr: string; signalledAt: number; exitedAt: number }> {
  let signalledAt = 0;
  const whenStarted = (child: ChildProcess): void => {
    let seen = '';
    const watch = (chunk: Buffer): void => {
      seen += String(chunk);
      if (!HOLDING.test(seen)) return;
      child.stderr!.off('data', watch);
      signalledAt = Date.now();
      child.kill('SIGINT');
    };
    child.stderr!.on('data', watch);
  };
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim(),
    HOLD_HOOK_THREAD: '1',
    HOLD_HOOK_FOR_MS: String(HOLD_MS),
  };
  const run = await runStress(
    [...args, '--rate', '100', '--duration', '5s', '--warmup', '0', '--workers', '1', '--json'],
    30_000,
    whenStarted,
    {
      env,
    },
  );
  const exitedAt = Date.now();
  assert.ok(signalledAt > 0, `the hook held thread 1 and the signal was sent; stderr: ${run.stderr}`);
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: stopping/);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  return { summary, stderr: run.stderr, signalledAt, exitedAt };
}

function assertEmpty(summary: Summary): void {
  assert.equal(summary.interrupted, true);
  const { scheduled, requests, dropped } = summary.totals;
  assert.deepEqual({ scheduled, requests, dropped }, { scheduled: 0, requests: 0, dropped: 0 }, 'an empty summary');
}

test('Ctrl-C while the load worker starts: the server receives nothing, the summary is empty, exit 130', async () => {
  const server = await startRecordingServer();
  try {
    const { summary, signalledAt, exitedAt } = await interruptedDuringSetUp([`${server.url}/`]);
    assertEmpty(summary);
    assert.equal(server.received.length, 0, 'no request reached the server');
    // the held worker is waited for, then stopped at once: no 5 s of load, no 2 s drain
    assert.ok(exitedAt - signalledAt < HOLD_MS + 1500, `exited ${exitedAt - signalledAt} ms after the signal`);
  } finally {
    await server.close();
  }
});

test("Ctrl-C while the bundled target's thread starts, before any worker exists: the summary is empty, exit 130", async () => {
  const { summary, stderr, signalledAt, exitedAt } = await interruptedDuringSetUp([]);
  assert.match(stderr, /SIGINT: stopping before any load is sent/, 'the signal came before the run was made');
  assertEmpty(summary);
  assert.ok(exitedAt - signalledAt < HOLD_MS + 1500, `exited ${exitedAt - signalledAt} ms after the signal`);
});
