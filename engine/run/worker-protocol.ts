/**
 * Every message between the primary and its workers, and between the controller and remote
 * agents: one discriminated union per direction, in one file.
 */
import type { MessagePort } from 'node:worker_threads';
import type { TargetSpec } from '../http/sender.js';
import type { RateSegment } from '../load/pacer.js';
import type { RunSpec, WorkerFailure } from './local-run.js';
import type { Snapshot } from '../measure/snapshot.js';

/** This build's version. Controller and agent compare it in their hello: a plan only runs on its own version. */
export const VERSION = '0.1.0';

/** What load one worker generates. */
export type WorkerLoad =
  | {
      kind: 'rate';
      /** the whole run's schedule (all workers together); each phase is one segment */
      segments: RateSegment[];
    }
  | {
      kind: 'clients';
      /** this worker's clients */
      clients: number;
      /** this worker's share of the request budget; null for a duration-bound run */
      requests: number | null;
      durationMs: number | null;
    };

/** The Piscina task: everything a worker needs, plus the port its messages travel on. */
export interface WorkerTask {
  workerIndex: number;
  workerCount: number;
  target: TargetSpec;
  load: WorkerLoad;
  intervalMs: number;
  /** open loop: the schedule starts this long before the measured start, unrecorded, ms */
  warmupMs: number;
  connections: number;
  timeoutMs: number;
  maxInflight: number;
  /** response bodies longer than this are cut off as `too-large`; null or absent: no limit */
  maxBodyBytes?: number | null;
  /** --log: this worker appends its rows to this part file; null or absent: no log */
  requestLogPath?: string | null;
  port: MessagePort;
}

/** Primary -> worker. */
export type ControlMessage =
  /** start at this instant: ms since the epoch, high resolution (performance.timeOrigin + now) */
  | { type: 'start'; startAtEpochMs: number }
  /** stop issuing requests; give in-flight ones up to drainMs, then count them as interrupted */
  | { type: 'stop'; drainMs: number };

/** Worker -> primary. */
export type WorkerMessage =
  | { type: 'ready'; workerIndex: number }
  | { type: 'snapshot'; workerIndex: number; snapshot: Snapshot }
  /** the last message: every snapshot has been posted */
  | { type: 'done'; workerIndex: number };

/** The task's return value. */
export interface WorkerResult {
  workerIndex: number;
  /** intervals reported, the last one included */
  intervals: number;
  /** true when a stop message ended it before its plan did */
  stopped: boolean;
}

/** High-resolution wall clock, comparable across threads of this process. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

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
  /** one interval, merged across the agent's workers */
  | { type: 'snapshot'; runId: number; snapshot: Snapshot }
  /** the run ended: every snapshot has been sent; failure indices are the agent's own workers */
  | { type: 'done'; runId: number; interrupted: boolean; elapsedS: number; workerFailures: WorkerFailure[] }
  /** the agent refuses or failed; it exits after sending this */
  | { type: 'error'; message: string };
