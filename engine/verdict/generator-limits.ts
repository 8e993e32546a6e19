/**
 * When requests failed on this machine's own limits (class `generator`), the one line that says
 * which limit and what to raise: the numbers would otherwise be read as the target's failures.
 * `generatorWarning` is pure; `readLocalLimits` reads the current values from Linux's /proc
 * (elsewhere they are simply not quoted).
 */
import { readFileSync } from 'node:fs';
import { count } from '../../common/format.js';

/** The limits as they are now; null where unknown. */
export interface LocalLimits {
  /** soft limit of open files of this process (`ulimit -n`) */
  openFiles: number | null;
  /** the ephemeral port range, e.g. "32768 60999" */
  portRange: string | null;
}

/** What each error code of the `generator` class means, and what to raise. */
function advice(code: string, limits: LocalLimits): string | null {
  switch (code) {
    case 'EMFILE':
      return `too many open files (EMFILE): raise \`ulimit -n\`${limits.openFiles === null ? '' : ` (now ${limits.openFiles})`} or lower --connections`;
    case 'ENFILE':
      return 'the system ran out of file handles (ENFILE): raise fs.file-max (sysctl) or lower --connections';
    case 'EADDRNOTAVAIL':
    case 'EADDRINUSE':
      return `no free local port (${code}): widen net.ipv4.ip_local_port_range${limits.portRange === null ? '' : ` (now ${limits.portRange.replace(/\s+/, '-')})`}, enable net.ipv4.tcp_tw_reuse, or lower --connections`;
    case 'ENOBUFS':
    case 'ENOMEM':
      return `the kernel ran out of memory for sockets (${code}): lower --connections or --rate, or add memory`;
    default:
      return null;
  }
}

/**
 * One line for stderr when any request failed as `generator`, else null. `errorCodes` are the
 * run's failures by code; `generatorFailures` is the count of the class.
 */
export function generatorWarning(
  generatorFailures: number,
  errorCodes: Readonly<Record<string, number>>,
  limits: LocalLimits,
): string | null {
  if (generatorFailures <= 0) return null;
  const causes: string[] = [];
  for (const code of Object.keys(errorCodes)) {
    const line = advice(code, limits);
    if (line !== null && !causes.includes(line)) causes.push(line);
  }
  const what = causes.length > 0 ? causes.join('; ') : 'see the error codes in the summary';
  return `stress: warning: ${count(generatorFailures)} requests failed on this machine's own limits, not the target's: ${what}`;
}

/** The current limits, from /proc on Linux; null for each one that cannot be read. */
export function readLocalLimits(): LocalLimits {
  const read = (path: string): string | null => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  const openFiles = /^Max open files\s+(\d+)/m.exec(read('/proc/self/limits') ?? '')?.[1];
  const portRange = read('/proc/sys/net/ipv4/ip_local_port_range')?.trim() ?? null;
  return { openFiles: openFiles === undefined ? null : Number(openFiles), portRange: portRange || null };
}
