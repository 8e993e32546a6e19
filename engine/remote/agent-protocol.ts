/**
 * Every message between the controller and `stress agent` on a load box: one JSON object per
 * line, one discriminated union per direction, and the checks of what arrives from another process.
 */
import type { Snapshot } from '../measure/snapshot.js';
import type { RunSpec, WorkerFailure } from '../run/contract.js';

/**
 * Controller -> agent (`stress agent` on a load box), one JSON object per line on the agent's
 * stdin. The plan travels here, never on the ssh command line.
 */
export type ControllerMessage =
  | { type: 'hello'; version: string }
  /** answered at once with a pong carrying the agent's clock; also the controller's heartbeat */
  | { type: 'ping'; id: number }
  /**
   * Run this spec with the agent's own worker pool. `spec.startAtEpochMs` is already on the
   * agent's clock, `spec.workers` and `spec.workerSlots` say which global worker slots it fills.
   */
  | { type: 'plan'; runId: number; spec: RunSpec }
  /** as `LocalRun.stop` */
  | { type: 'stop'; runId: number; drainMs: number; planned: boolean };

/** Agent -> controller, one JSON object per line on the agent's stdout (nothing else goes there). */
export type AgentMessage =
  | { type: 'hello'; version: string; cores: number; pid: number }
  /** `remoteMs`: the agent's epochNowMs() when it answered */
  | { type: 'pong'; id: number; remoteMs: number }
  /** one interval, merged across the agent's workers, with its step parts and closed steps (snapshotProblem) */
  | { type: 'snapshot'; runId: number; snapshot: Snapshot }
  /** the run ended: every snapshot has been sent; failure indices are the agent's own workers */
  | { type: 'done'; runId: number; interrupted: boolean; elapsedS: number; workerFailures: WorkerFailure[] }
  /** the agent refuses or failed; it exits after sending this */
  | { type: 'error'; message: string };

/** The counters a step part must add up to across the parts of an interval. */
const REQUEST_COUNTERS = ['scheduled', 'requests', 'responses', 'success', 'failure', 'dropped'] as const;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Why `counts` (from another process) cannot be summed as request counters, or null. */
function countsProblem(counts: unknown, what: string): string | null {
  if (typeof counts !== 'object' || counts === null) return `${what} has no counts`;
  for (const name of REQUEST_COUNTERS) {
    const value = (counts as Record<string, unknown>)[name];
    if (!isCount(value)) return `${what}: ${name} is ${JSON.stringify(value)}, not a count`;
  }
  return null;
}

/**
 * Why a snapshot from a load box cannot be merged, or null: the step fields the ramp's accounting
 * rests on. `stepsClosed` must be a whole number of the run's `stepCount` steps; each step part
 * must name a step of the run once, with counts and encoded histograms; and the parts must add
 * up to the interval's request counters, or the steps would no longer add up to the run.
 */
export function snapshotProblem(snapshot: Snapshot, stepCount: number): string | null {
  if (typeof snapshot !== 'object' || snapshot === null) return 'a snapshot that is not an object';
  const { steps, stepsClosed } = snapshot;
  if (!Number.isInteger(stepsClosed) || stepsClosed! < 0 || stepsClosed! > stepCount)
    return `stepsClosed ${JSON.stringify(stepsClosed)} is not a whole number from 0 to ${stepCount}`;
  if (!Array.isArray(steps)) return 'a snapshot without step parts';
  const intervalProblem = countsProblem(snapshot.counts, 'the interval');
  if (intervalProblem) return intervalProblem;
  const sums = Object.fromEntries(REQUEST_COUNTERS.map((name) => [name, 0])) as Record<(typeof REQUEST_COUNTERS)[number], number>;
  const seen = new Set<number>();
  for (const part of steps as unknown[]) {
    if (typeof part !== 'object' || part === null) return 'a step part that is not an object';
    const { phase, counts, histograms } = part as Partial<Snapshot>;
    if (!Number.isInteger(phase) || phase! < 0 || phase! >= stepCount)
      return `a step part of step ${JSON.stringify(phase)}, not of the run's ${stepCount}`;
    if (seen.has(phase!)) return `two parts of step ${phase}`;
    seen.add(phase!);
    const problem = countsProblem(counts, `the part of step ${phase}`);
    if (problem) return problem;
    if (typeof histograms !== 'object' || histograms === null || !Object.values(histograms).every((value) => typeof value === 'string'))
      return `the part of step ${phase} has histograms that are not encoded`;
    for (const name of REQUEST_COUNTERS) sums[name] += counts![name];
  }
  for (const name of REQUEST_COUNTERS) {
    if (sums[name] !== snapshot.counts[name])
      return `the step parts' ${name} add up to ${sums[name]}, the interval's is ${snapshot.counts[name]}`;
  }
  return null;
}
