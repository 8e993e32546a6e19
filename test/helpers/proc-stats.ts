/**
 * Test helper: CPU time and resident memory of a live child process, read from Linux's /proc,
 * so a test can say "the generator stayed idle" or "its memory stayed flat" about the real
 * `bin/stress` process (all its threads), not about the test's own process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Clock ticks per second of /proc/<pid>/stat times (100 on every Linux seen, asked anyway). */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of every thread of `pid` so far, s; null once it has exited. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: fields are counted after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return null;
  }
}

/** Resident set size of `pid` now, bytes; null once it has exited. */
export function rssBytes(pid: number): number | null {
  try {
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

export interface Sample {
  /** ms after sampling began */
  atMs: number;
  cpuS: number | null;
  rss: number | null;
}

/** Samples `pid` at each of `atMs` (ms from now, rising); stops early once it has exited. */
export async function sampleProcess(pid: number, atMs: readonly number[]): Promise<Sample[]> {
  const started = performance.now();
  const samples: Sample[] = [];
  for (const at of atMs) {
    await sleep(Math.max(0, at - (performance.now() - started)));
    const sample = { atMs: Math.round(performance.now() - started), cpuS: cpuSeconds(pid), rss: rssBytes(pid) };
    if (sample.cpuS === null) break;
    samples.push(sample);
  }
  return samples;
}
