/**
 * The primary thread gives way to the workers once no more worker threads will start, and only
 * then: threads take their creator's priority, which cannot be raised back. Read from /proc while
 * a real `bin/stress` runs against the bundled target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runStress } from '../helpers/stress-cli.js';

interface ThreadState {
  tid: number;
  nice: number;
  cpuTicks: number;
}

/** Every thread of `pid` with its nice value and CPU time so far, from /proc. */
function threadsOf(pid: number): ThreadState[] {
  const threads: ThreadState[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // the fields after the command name, which may hold spaces, start after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 (utime), 15 (stime) and 19 (nice) of stat(5), counted from the state, field 3
    threads.push({ tid: Number(tid), cpuTicks: Number(fields[11]) + Number(fields[12]), nice: Number(fields[16]) });
  }
  return threads;
}

/** The threads of a run of `args`, read 2.5 s into it (well into the measured part). */
async function threadsDuring(args: string[]): Promise<{ pid: number; threads: ThreadState[] }> {
  let seen: { pid: number; threads: ThreadState[] } | null = null;
  const run = await runStress(args, 30_000, (child) => {
    void sleep(2500).then(() => {
      if (child.pid !== undefined && child.exitCode === null) seen = { pid: child.pid, threads: threadsOf(child.pid) };
    });
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(seen, 'the run ended before its threads were read');
  return seen;
}

test('in a single run the primary thread runs at nice 10, and the worker and the bundled target at 0', {
  skip: process.platform !== 'linux' && 'Linux only: elsewhere a nice value is the whole process’s',
}, async () => {
  const { pid, threads } = await threadsDuring(['--rate', '2000', '--duration', '4s', '--workers', '1', '--json', '--quiet']);
  const primary = threads.find((thread) => thread.tid === pid)!;
  assert.equal(primary.nice, 10, 'the primary thread');
  const others = threads.filter((thread) => thread.tid !== pid).sort((a, b) => b.cpuTicks - a.cpuTicks);
  // the two busiest: the worker and the bundled target's thread, each serving 2,000 req/s
  assert.deepEqual(
    others.slice(0, 2).map((thread) => thread.nice),
    [0, 0],
    `the two busiest other threads: ${JSON.stringify(others)}`,
  );
});

test('a ramp that may refine leaves the primary as it was: the refining runs start workers of their own', {
  skip: process.platform !== 'linux' && 'Linux only',
}, async () => {
  const { pid, threads } = await threadsDuring([
    '--ramp',
    '200:400',
    '--steps',
    '2',
    '--step',
    '2s',
    '--refine',
    '--workers',
    '1',
    '--json',
    '--quiet',
  ]);
  assert.equal(threads.find((thread) => thread.tid === pid)!.nice, 0);
});
