/** Runs the real `bin/stress` as a child process and collects what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const STRESS_BIN = fileURLToPath(new URL('../../../bin/stress', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Starts `bin/stress args`; `whenStarted` may act on the child (send a signal...). Killed after `limitMs`. */
export function runStress(args: string[], limitMs = 60_000, whenStarted?: (child: ChildProcess) => void): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [STRESS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
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
