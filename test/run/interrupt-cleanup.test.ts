/**
 * Interrupting a run against the bundled target (issue 14, item 8): whichever signal, once or
 * twice, the process exits with 128 + the signal's number (130, 143, 129), never with a native
 * abort of the target's thread (134 and a stack dump), and leaves no `--log` part file behind.
 * Real processes: bin/stress with no URL starts the bundled target in its own thread.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../engine/summary/summary.js';
import { runStress } from '../helpers/stress-cli.js';

const root = mkdtempSync(join(tmpdir(), 'stress-interrupt-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * Small load against the bundled target, whose answers take 1.5 s: when the first signal comes,
 * requests are in flight and the drain (up to 2 s) is under way for a while, so a second signal
 * 300 ms later lands inside it. The part files of --log exist by then (every request sent so
 * far is due a row).
 */
const ARGS = ['--rate', '100', '--duration', '20s', '--warmup', '0', '--workers', '2', '--bundled', 'latency=1500ms', '--json'];

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** when each signal was sent, and when the process was seen gone (Date.now()) */
  sentAt: number[];
  exitedAt: number;
  /** what is left in the run's folder */
  files: string[];
  folder: string;
}

/** Runs stress with --log in a folder of its own; once 2 s of load went out, sends `signal` `times` times, 300 ms apart. */
async function interrupt(signal: NodeJS.Signals, times: number): Promise<Interrupted> {
  const folder = mkdtempSync(join(root, `${signal}-${times}-`));
  const sentAt: number[] = [];
  let pid = 0;
  const whenStarted = (child: ChildProcess): void => {
    pid = child.pid!;
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      // the second progress line: the load has run for 2 s, and answers have come back
      if (!/\[\s*2\.0 s\]/.test(seen)) return;
      child.stderr!.off('data', onData);
      for (let i = 0; i < times; i++) {
        setTimeout(() => {
          sentAt.push(Date.now());
          child.kill(signal);
        }, i * 300);
      }
    };
    child.stderr!.on('data', onData);
  };
  const run = await runStress([...ARGS, '--log', join(folder, 'r.csv')], 30_000, whenStarted);
  const exitedAt = Date.now();
  return { ...run, pid, sentAt, exitedAt, files: readdirSync(folder).sort(), folder };
}

function assertGone(pid: number): void {
  assert.ok(pid > 0);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
}

function assertNoAbort(run: Interrupted): void {
  assert.doesNotMatch(run.stderr, /Assertion failed|Native stack trace|uv_loop_close|internal error/, run.stderr);
  assert.equal(run.signal, null, `exited, not killed by ${run.signal}; stderr: ${run.stderr}`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const code = 128 + constants.signals[signal];
  test(`${signal} twice with the bundled target and --log: exit ${code} at once, no native abort, no part file left`, async () => {
    const run = await interrupt(signal, 2);
    assert.equal(run.sentAt.length, 2, `both signals were sent; stderr: ${run.stderr}`);
    assertNoAbort(run);
    assert.equal(run.code, code, `exit ${code}; stderr: ${run.stderr}`);
    // the drain the first signal started would last until the 1.5 s answers are in
    const afterSecond = run.exitedAt - run.sentAt[1]!;
    assert.ok(afterSecond < 1500, `exited ${afterSecond} ms after the second signal`);
    assert.equal(run.stdout, '', 'no summary: the user asked to quit now');
    assert.match(run.stderr, new RegExp(`${signal}: stopping`));
    // neither the parts nor a half-joined table: nothing that looks like a whole log is left
    assert.deepEqual(run.files, [], `left in the folder: ${run.files.join(', ')}`);
    assertGone(run.pid);
  });
}

test('SIGINT once with the bundled target and --log: the partial summary, exit 130, the log joined and no part left', async () => {
  const run = await interrupt('SIGINT', 1);
  assertNoAbort(run);
  assert.equal(run.code, 130, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.interrupted, true);
  assert.ok(summary.totals.requests >= 50, `requests ${summary.totals.requests}`);
  assert.deepEqual(run.files, ['r.csv']);
  const rows = readFileSync(join(run.folder, 'r.csv'), 'utf8').trim().split('\n');
  assert.equal(rows.length, summary.totals.requests + 1, 'a header and one row per request');
  assertGone(run.pid);
});
