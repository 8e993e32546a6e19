/**
 * Every message between the primary and its worker threads: one discriminated union per
 * direction. The controller's messages to load boxes are in remote/agent-protocol.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ClientKind, TargetSpec } from '../http/target.js';
import type { RateSegment } from '../load/pacer.js';
import type { Snapshot } from '../measure/snapshot.js';

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
  /** the HTTP client; absent: the lean one */
  client?: ClientKind;
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
