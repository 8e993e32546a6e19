/** Runs the real `bin/stress` as a child process and collects what it prints. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from './invariants.js';

/**
 * --max-lag for tests whose subject is not the generator's honesty. On a 2-core machine the
 * target, the workers (and load boxes), sshd and the test runner take turns on the cores: the
 * scheduler lag p99 of a few hundred req/s was measured between 20 and 43 ms in such runs, on
 * the code before and after the same change. The generator-limited tests keep the default bound.
 */
export const CONTENTION_MAX_LAG = '100ms';

export const STRESS_BIN = fileURLToPath(new URL('../../../bin/stress', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface SpawnExtras {
  /** added to this process's environment */
  env?: NodeJS.ProcessEnv;
  /** run under `ulimit -n` of this many open files */
  openFiles?: number;
}

/** Starts `bin/stress args`; `whenStarted` may act on the child (send a signal...). Killed after `limitMs`. */
export function runStress(
  args: string[],
  limitMs = 60_000,
  whenStarted?: (child: ChildProcess) => void,
  extras: SpawnExtras = {},
): Promise<CliRun> {
  const started = Date.now();
  const env = { ...process.env, NO_COLOR: '1', ...extras.env };
  const argv = [STRESS_BIN, ...args];
  // the limit is set by a shell that then becomes node; the arguments stay an argv array
  const child =
    extras.openFiles === undefined
      ? spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn('sh', ['-c', `ulimit -n ${Math.floor(extras.openFiles)} && exec "$0" "$@"`, process.execPath, ...argv], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env,
        });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  whenStarted?.(child);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** A progress line on stderr (without --quiet): `[   1.0 s]  offered ...`, the seconds since the measured start. */
const PROGRESS_LINE = /^\[\s*(\d+\.\d) s\]/m;

/** Calls `then` once, with the first match of `pattern` in what the child has written to stderr so far. */
function onStderrMatch(child: ChildProcess, pattern: RegExp, then: (match: RegExpExecArray) => void): void {
  let seen = '';
  const watch = (chunk: Buffer | string): void => {
    seen += String(chunk);
    const match = pattern.exec(seen);
    if (match === null) return;
    child.stderr!.off('data', watch);
    then(match);
  };
  child.stderr!.on('data', watch);
}

/**
 * Calls `then` once the child's stderr shows its first progress line: the run's own word that its
 * measured load began (the line is printed once the first interval is over, so the load has run
 * at least that long, `loadS`). The run must not be given --quiet. For timers that must start
 * with the load, not with the spawn (a busy machine can take seconds to start Node and workers).
 */
export function onLoadStarted(child: ChildProcess, then: (loadS: number) => void): void {
  onStderrMatch(child, PROGRESS_LINE, (match) => then(Number(match[1])));
}

const DASHBOARD_LINE = /^stress: dashboard on (http:\/\/\S+\/)$/m;

/** Calls `then` with the dashboard's URL (`http://HOST:PORT/`) once the run prints it. */
export function onDashboardUrl(child: ChildProcess, then: (url: string) => void): void {
  onStderrMatch(child, DASHBOARD_LINE, (match) => then(match[1]!));
}

/**
 * Runs `bin/stress args --json --quiet`, expects exit `expectCode` (0), parses the summary and
 * asserts the invariants on it: the one way engine tests read a run. `onLoadStarted` drops
 * --quiet and is called as `onLoadStarted` (below the summary) says.
 */
export async function runSummary(
  args: string[],
  options: {
    limitMs?: number;
    expectCode?: number;
    whenStarted?: (child: ChildProcess) => void;
    onLoadStarted?: (loadS: number) => void;
  } & SpawnExtras = {},
): Promise<{ summary: Summary; run: CliRun }> {
  const { onLoadStarted: loadStarted, whenStarted } = options;
  const run = await runStress(
    [...args, '--json', ...(loadStarted ? [] : ['--quiet'])],
    options.limitMs ?? 60_000,
    (child) => {
      whenStarted?.(child);
      if (loadStarted) onLoadStarted(child, loadStarted);
    },
    options,
  );
  assert.equal(run.code, options.expectCode ?? 0, `exit ${run.code ?? run.signal}; stderr: ${run.stderr}`);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  return { summary, run };
}
