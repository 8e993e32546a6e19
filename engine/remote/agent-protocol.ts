/**
 * Every message between the controller and `stress agent` on a load box: one JSON object per
 * line, one discriminated union per direction. What arrives from the other process is checked
 * before it is used: a box's messages by box-message-check.ts, a controller's by plan-check.ts.
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
  /** one interval, merged across the agent's workers, with its step parts and closed steps (checkSnapshot) */
  | { type: 'snapshot'; runId: number; snapshot: Snapshot }
  /** the run ended: every snapshot has been sent; failure indices are the agent's own workers */
  | { type: 'done'; runId: number; interrupted: boolean; elapsedS: number; workerFailures: WorkerFailure[] }
  /** the agent refuses or failed; it exits after sending this */
  | { type: 'error'; message: string };

/**
 * A box's message as the controller's link hands it on once its shape is checked: a snapshot's
 * contents are checked against the run it belongs to (box-message-check.ts checkSnapshot).
 */
export type ReceivedAgentMessage = Exclude<AgentMessage, { type: 'snapshot' }> | { type: 'snapshot'; runId: number; snapshot: unknown };
