/**
 * The load boxes' part of the summary: each box's own figures under the merged totals, its clock
 * offset, whether it kept up, whether it was lost. Pure, like summary.ts, and like it free of
 * NaN and Infinity (null where a figure does not exist).
 */
import { round } from '../../common/format.js';
import { agentGeneratorLimit } from '../verdict/box-verdict.js';
import { worstOffset } from '../remote/clock-offset.js';
import type { Loss, RemoteResult } from '../run/contract.js';
import type { Counts, ErrorClass } from '../measure/snapshot.js';
import { DEFAULT_CRITERIA } from '../verdict/breaking-point.js';
import { generatorDelay, percentile, type GeneratorDelay } from '../measure/statistics.js';

export interface AgentSummary extends Pick<Counts, 'scheduled' | 'requests' | 'success' | 'failure' | 'dropped'> {
  agent: string;
  workers: number;
  /** share of the run's workers, and so of the offered rate, 0..1 */
  share: number;
  /** responses (any status) per second */
  achieved: number;
  errors: Partial<Record<ErrorClass, number>>;
  latencyMs: { p50: number | null; p99: number | null };
  schedulerLagMs: { p99: number | null };
  /** share of the time the box's event loops were busy, 0..1 */
  generatorBusy: number | null;
  /** the box's own delay: event loop delay p99 and max, GC pauses in all and the longest, ms (null from an older agent) */
  generatorDelayMs: GeneratorDelay;
  /** open loop only: its own figures say it could not keep up */
  generatorLimited: boolean;
  /** why, when it was generator-limited */
  reason: string | null;
  /** its clock minus the controller's, as measured and corrected, ms */
  clockOffsetMs: number;
  /** round trip of the measurement; the offset is right within half of it, ms */
  clockRttMs: number;
  lost: Loss | null;
  /** its agent was uploaded by this run (true) or found in its cache (false); null: started by --remote-command */
  shipped: boolean | null;
  /** seconds from starting its ssh to its agent's hello: connecting, checking node, the upload when shipped */
  setupS: number;
}

export interface RemoteSummary {
  agents: AgentSummary[];
  /** the largest clock offset of any box (corrected for; the start instant is on each box's clock), ms */
  clockOffsetMs: number;
  /** how far off the start of any box may still be: half its best round trip, ms */
  clockUncertaintyMs: number;
  abortedOnAgentLoss: boolean;
}

/**
 * Per-box figures over `durationS`; `openLoop` decides whether generator limits apply, and
 * `lagBoundMs` is the scheduler lag p99 above which a box fell behind.
 */
export function remoteSummary(remote: RemoteResult, durationS: number, openLoop: boolean, lagBoundMs: number): RemoteSummary {
  const agents = remote.agents.map((box): AgentSummary => {
    const { counts, histograms } = box.total;
    const reason = openLoop
      ? agentGeneratorLimit({ due: box.total, during: box.total }, durationS, box.inflightCapacity, { ...DEFAULT_CRITERIA, lagBoundMs })
      : null;
    return {
      agent: box.agent,
      workers: box.workers,
      share: round(box.share, 4),
      scheduled: counts.scheduled,
      requests: counts.requests,
      success: counts.success,
      failure: counts.failure,
      dropped: counts.dropped,
      achieved: durationS > 0 ? round(counts.responses / durationS, 1) : 0,
      errors: { ...box.total.errors },
      latencyMs: { p50: percentile(histograms.latencyUs, 50, 1000), p99: percentile(histograms.latencyUs, 99, 1000) },
      schedulerLagMs: { p99: percentile(histograms.lagUs, 99, 1000) },
      generatorBusy: counts.generatorObservedMs > 0 ? round(counts.generatorBusyMs / counts.generatorObservedMs) : null,
      generatorDelayMs: generatorDelay(box.total),
      generatorLimited: reason !== null,
      reason,
      clockOffsetMs: round(box.clock.offsetMs),
      clockRttMs: round(box.clock.rttMs),
      lost: box.lost && { atS: round(box.lost.atS, 1), message: box.lost.message },
      shipped: box.shipped,
      setupS: round(box.setupS, 3),
    };
  });
  const worst = worstOffset(remote.agents.map((box) => box.clock));
  return {
    agents,
    clockOffsetMs: round(worst.offsetMs),
    clockUncertaintyMs: round(worst.uncertaintyMs),
    abortedOnAgentLoss: remote.abortedOnAgentLoss,
  };
}
