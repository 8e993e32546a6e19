/**
 * The target server's knobs as numbers, their defaults, and the one place they are checked.
 * The CLI (`cli-args.ts`) turns flags into these; `startTargetServer` takes them directly.
 * Every problem names the flag a CLI user would fix, since that is how most people meet them.
 */

import { defaultQueueLimit } from './capacity-gate.js';

export interface TargetServerOptions {
  /** TCP port; 0 picks a free one. Default 8000 on the CLI, 0 in the programmatic API. */
  port?: number;
  /** address to listen on; default 127.0.0.1 */
  host?: string;
  /** fixed delay added to every response, ms; default 0 */
  latencyMs?: number;
  /** fraction of requests answered 500, in [0, 1]; default 0 */
  failRate?: number;
  /** requests/s the server can start (token bucket); default unlimited */
  capacity?: number;
  /** requests that may wait for a token before 503s start; default 1 s of capacity; needs `capacity` */
  queue?: number;
  /** period of the whole-server stalls, ms; needs `pauseForMs` */
  pauseEveryMs?: number;
  /** length of each stall, ms; shorter than `pauseEveryMs` */
  pauseForMs?: number;
  /** fraction of requests whose connection is closed without an answer, in [0, 1]; default 0 */
  closeRate?: number;
  /** on close(), how long in-flight responses may take before connections are dropped, ms; default 1500 */
  drainTimeoutMs?: number;
}

/** Options with every default filled in; `capacity`/`queue`/pauses stay undefined when off. */
export interface ResolvedTargetOptions {
  port: number;
  host: string;
  latencyMs: number;
  failRate: number;
  capacity: number | undefined;
  queue: number | undefined;
  pauseEveryMs: number | undefined;
  pauseForMs: number | undefined;
  closeRate: number;
  drainTimeoutMs: number;
}

/** Largest delay a Node timer honours (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options that fail validation; `problems` holds one line per mistake. */
export class TargetOptionsError extends Error {
  readonly code = 'STRESS_ERR_TARGET_OPTIONS';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

const isFraction = (value: number): boolean => value >= 0 && value <= 1;
const isDuration = (value: number): boolean => Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS;

/** Every problem with `options`, each naming its flag; empty when they are usable. */
export function validateTargetOptions(options: TargetServerOptions): string[] {
  const problems: string[] = [];
  const { port, host, latencyMs, failRate, capacity, queue, pauseEveryMs, pauseForMs, closeRate } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    problems.push(`--port: ${port} must be a whole number from 0 to 65535 (0 picks a free port)`);
  }
  if (host !== undefined && (typeof host !== 'string' || host.trim() === '')) {
    problems.push('--host: must be an address such as 127.0.0.1 or 0.0.0.0');
  }
  if (latencyMs !== undefined && !isDuration(latencyMs)) {
    problems.push(`--latency: ${latencyMs} ms must be a duration from 0 to ${MAX_TIMER_MS} ms (e.g. 50ms, 2s)`);
  }
  if (failRate !== undefined && !isFraction(failRate)) {
    problems.push(`--fail-rate: ${failRate} must be a fraction between 0 and 1 (e.g. 0.05 or 5%)`);
  }
  if (closeRate !== undefined && !isFraction(closeRate)) {
    problems.push(`--close-rate: ${closeRate} must be a fraction between 0 and 1 (e.g. 0.05 or 5%)`);
  }
  if (capacity !== undefined && !(Number.isFinite(capacity) && capacity > 0)) {
    problems.push(`--capacity: ${capacity} must be a rate above 0 requests/s (e.g. 500 or 2k)`);
  }
  if (queue !== undefined) {
    if (!(Number.isInteger(queue) && queue >= 0)) {
      problems.push(`--queue: ${queue} must be a whole number of requests, 0 or more`);
    } else if (capacity === undefined) {
      problems.push('--queue: only applies with --capacity; add --capacity R or drop --queue');
    }
  }
  if ((pauseEveryMs === undefined) !== (pauseForMs === undefined)) {
    problems.push(
      pauseEveryMs === undefined
        ? '--pause-for: needs --pause-every (e.g. --pause-every 5s --pause-for 200ms)'
        : '--pause-every: needs --pause-for (e.g. --pause-every 5s --pause-for 200ms)',
    );
  } else if (pauseEveryMs !== undefined && pauseForMs !== undefined) {
    if (!(isDuration(pauseEveryMs) && pauseEveryMs > 0)) {
      problems.push(`--pause-every: ${pauseEveryMs} ms must be a duration above 0 (e.g. 5s)`);
    }
    if (!(isDuration(pauseForMs) && pauseForMs > 0)) {
      problems.push(`--pause-for: ${pauseForMs} ms must be a duration above 0 (e.g. 200ms)`);
    } else if (pauseForMs >= pauseEveryMs) {
      problems.push(`--pause-for: ${pauseForMs} ms must be shorter than --pause-every (${pauseEveryMs} ms), or the server never runs`);
    }
  }
  if (options.drainTimeoutMs !== undefined && !isDuration(options.drainTimeoutMs)) {
    problems.push(`drainTimeoutMs: ${options.drainTimeoutMs} must be a duration from 0 to ${MAX_TIMER_MS} ms`);
  }
  return problems;
}

/** Checks `options` (throwing `TargetOptionsError` with every problem) and fills in defaults. */
export function resolveTargetOptions(options: TargetServerOptions): ResolvedTargetOptions {
  const problems = validateTargetOptions(options);
  if (problems.length > 0) throw new TargetOptionsError(problems);
  const capacity = options.capacity;
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    latencyMs: options.latencyMs ?? 0,
    failRate: options.failRate ?? 0,
    capacity,
    queue: capacity === undefined ? undefined : (options.queue ?? defaultQueueLimit(capacity)),
    pauseEveryMs: options.pauseEveryMs,
    pauseForMs: options.pauseForMs,
    closeRate: options.closeRate ?? 0,
    drainTimeoutMs: options.drainTimeoutMs ?? 1500,
  };
}
