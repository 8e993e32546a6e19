/**
 * A run on load boxes, with the shape of LocalRun: the same spec, the same snapshots, the same
 * merge. Each box gets its slots of the global worker schedule (agent-share.ts) and the start
 * instant converted to its own clock; its merged interval snapshots come back over ssh and go
 * through the one `IntervalMerger`, a box being one source. Each box's own total is kept beside
 * the merge, so a weak or overloaded box shows in the report.
 *
 * A box that dies mid-run (ssh ended, or silent too long) is recorded with when and why; what it
 * sent until then stays merged, and the run goes on without it, unless told to abort. Every wait
 * is bounded: by the plan's end plus margins, by the stop's drain plus a limit, by silence.
 */
import { agentSpec, assignSlots, shareOfSlots, slotCap, type AgentSlots } from './agent-share.js';
import type { ClockOffset } from './clock-offset.js';
import type { Fleet, FleetMember } from './fleet.js';
import { IntervalMerger } from '../measure/interval-merger.js';
import { epochNowMs } from '../run/worker-protocol.js';
import { RunAccumulator, type AgentPart, type IntervalListener, type Run, type RunResult, type RunSpec, type WorkerFailure } from '../run/local-run.js';
import { decodeSnapshot, emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';

export interface AgentRunResult {
  agent: string;
  workers: number;
  /** share of the run's workers, and so of its offered rate, 0..1 */
  share: number;
  /** its in-flight cap: per worker x workers */
  inflightCapacity: number;
  clock: ClockOffset;
  /** everything the box reported, merged */
  total: IntervalStats;
  /** when (s since the start) and why the box was lost; null when it ran to the end */
  lost: { atS: number; message: string } | null;
}

export interface RemoteResult {
  agents: AgentRunResult[];
  /** true when a lost box ended the run (--abort-on-agent-loss) */
  abortedOnAgentLoss: boolean;
}

export interface RemoteRunOptions {
  /** stop every box when one is lost */
  abortOnAgentLoss: boolean;
  /** a line for the user as things happen (a box lost); not part of the report */
  notice?: (line: string) => void;
}

/** Time between sending the plans and the start (before the warm-up), beyond twice the worst round trip. */
const START_LEAD_MS = 1000;
const HEARTBEAT_MS = 2000;
/** A box silent this long (plus three intervals) is lost. */
const SILENCE_LIMIT_MS = 15_000;
/** A box not done this long after the plan's end plus the request timeout is lost. */
const END_MARGIN_MS = 15_000;
/** A box not done this long after a stop's drain is lost. */
const STOP_LIMIT_MS = 10_000;
/** In-flight requests of the other boxes after a loss aborted the run. */
const ABORT_DRAIN_MS = 2000;
const CLOCK_MAX_AGE_MS = 60_000;

interface Active {
  member: FleetMember;
  slots: AgentSlots;
  total: IntervalStats;
  done: boolean;
  /** forces the box's end in this run (it is then lost) */
  end: (why: string) => void;
}

/**
 * What a lost box's requests in flight became is unknown: it sent them, and died before it could
 * report them. They count as `interrupted` failures, so that scheduled = requests + dropped and
 * requests = success + failure keep holding exactly after the merge. Returns that correction.
 */
export function unreportedRequests(total: IntervalStats): IntervalStats {
  const correction = emptyStats(total.interval, total.phase, total.startMs, total.endMs);
  const unreported = total.counts.scheduled - total.counts.dropped - total.counts.requests;
  if (unreported > 0) {
    correction.counts.requests = unreported;
    correction.counts.failure = unreported;
    correction.errors.interrupted = unreported;
  }
  return correction;
}

/** Planned length of the load after the start instant, ms; null when bound by a request count. */
function plannedMs(spec: RunSpec): number | null {
  if (spec.load.kind === 'rate') return spec.load.segments.reduce((sum, segment) => sum + segment.durationMs, 0);
  return spec.load.durationMs;
}

export class RemoteRun implements Run {
  private active: Active[] = [];
  private runId = 0;
  private startAtMs = 0;
  private stopRequested = false;
  private stopDeadlineMs: number | null = null;
  private abortedOnLoss = false;

  constructor(
    private readonly fleet: Fleet,
    private readonly spec: RunSpec,
    private readonly onInterval: IntervalListener,
    private readonly options: RemoteRunOptions,
  ) {}

  async run(): Promise<RunResult> {
    const { spec } = this;
    await this.fleet.freshenClocks(CLOCK_MAX_AGE_MS);
    const members = this.fleet.live();
    const slots = assignSlots(members.map((member) => member.workers), slotCap(spec));
    const accumulated = new RunAccumulator();
    if (this.stopDeadlineMs !== null || members.length === 0) {
      // stopped before it began, or no box left: nothing ran
      return { series: [], total: accumulated.total, interrupted: true, workerFailures: [], elapsedS: 0, remote: { agents: [], abortedOnAgentLoss: this.abortedOnLoss } };
    }

    const parts = new Map<number, Array<IntervalStats | null>>();
    const merger = new IntervalMerger(members.length, (interval) => {
      accumulated.add(interval);
      const reported = parts.get(interval.interval) ?? [];
      parts.delete(interval.interval);
      this.onInterval(interval, this.active.map((box, index): AgentPart => ({
        agent: box.member.link.name,
        workers: box.slots.workers,
        share: shareOfSlots(box.slots),
        stats: reported[index] ?? null,
        lost: (reported[index] ?? null) === null && box.member.lost !== null,
      })));
    });
    const failures: WorkerFailure[] = [];
    const runId = (this.runId = this.fleet.nextRunId());
    const worstRttMs = Math.max(...members.map((member) => member.clock.rttMs));
    this.startAtMs = epochNowMs() + START_LEAD_MS + 2 * worstRttMs + (spec.load.kind === 'rate' ? spec.warmupMs : 0);

    const endings = members.map((member, index) => new Promise<void>((resolve) => {
      const box: Active = { member, slots: slots[index]!, total: emptyStats(), done: false, end: () => undefined };
      this.active.push(box);
      const finish = (lostWhy: string | null) => {
        if (box.done) return;
        box.done = true;
        if (lostWhy !== null) this.lose(box, lostWhy);
        merger.finish(index);
        resolve();
      };
      box.end = (why) => member.link.kill(why);
      if (box.slots.workers === 0) return finish(null); // more boxes than clients: this one sits out
      member.link.listener = (message) => {
        if (message.type === 'snapshot' && message.runId === runId) {
          const stats = decodeSnapshot(message.snapshot);
          mergeStats(box.total, stats);
          let reported = parts.get(stats.interval);
          if (!reported) parts.set(stats.interval, (reported = []));
          reported[index] = stats;
          merger.add(index, stats);
        } else if (message.type === 'done' && message.runId === runId) {
          for (const failure of message.workerFailures) {
            failures.push({ ...failure, workerIndex: box.slots.first + failure.workerIndex, message: `agent ${member.link.name}: ${failure.message}` });
          }
          finish(null);
        }
      };
      void member.link.gone.then((why) => finish(why));
      member.link.send({ type: 'plan', runId, spec: agentSpec(spec, box.slots, this.startAtMs, member.clock) });
    }));

    const planned = plannedMs(spec);
    const endDeadlineMs = planned === null ? null : this.startAtMs + planned + spec.timeoutMs + END_MARGIN_MS;
    const silenceLimitMs = SILENCE_LIMIT_MS + 3 * spec.intervalMs;
    const watch = setInterval(() => {
      const now = epochNowMs();
      for (const box of this.active) {
        if (box.done) continue;
        box.member.link.heartbeat();
        if (now - box.member.link.lastHeardMs > silenceLimitMs) box.end(`silent for ${Math.round((now - box.member.link.lastHeardMs) / 1000)} s`);
        else if (endDeadlineMs !== null && now > endDeadlineMs) box.end('not done long after the plan\'s end');
        else if (this.stopDeadlineMs !== null && now > this.stopDeadlineMs) box.end('not done long after the stop');
      }
    }, HEARTBEAT_MS);

    await Promise.all(endings);
    clearInterval(watch);
    for (const box of this.active) {
      box.member.link.listener = null;
      if (box.member.lost === null) continue;
      const correction = unreportedRequests(box.total);
      mergeStats(box.total, correction);
      mergeStats(accumulated.total, correction);
    }
    const now = epochNowMs();
    return {
      series: accumulated.points(),
      total: accumulated.total,
      interrupted: this.stopRequested,
      workerFailures: failures,
      elapsedS: now > this.startAtMs ? (now - this.startAtMs) / 1000 : 0,
      remote: {
        agents: this.active.map((box) => ({
          agent: box.member.link.name,
          workers: box.slots.workers,
          share: shareOfSlots(box.slots),
          inflightCapacity: spec.maxInflight * box.slots.workers,
          clock: box.member.clock,
          total: box.total,
          lost: box.member.lost,
        })),
        abortedOnAgentLoss: this.abortedOnLoss,
      },
    };
  }

  /** As LocalRun.stop, on every box. A box not done by the drain plus a limit is lost. */
  stop(drainMs: number, planned = false): void {
    if (!planned) this.stopRequested = true;
    const deadline = epochNowMs() + drainMs + STOP_LIMIT_MS;
    this.stopDeadlineMs = Math.min(this.stopDeadlineMs ?? deadline, deadline);
    for (const box of this.active) if (!box.done) box.member.link.send({ type: 'stop', runId: this.runId, drainMs, planned });
  }

  private lose(box: Active, why: string): void {
    const atS = Math.max(0, (epochNowMs() - this.startAtMs) / 1000);
    box.member.lost = { atS, message: why };
    this.options.notice?.(`stress: agent ${box.member.link.name} lost at ${atS.toFixed(1)} s: ${why}`);
    if (this.options.abortOnAgentLoss && this.stopDeadlineMs === null) {
      this.abortedOnLoss = true;
      this.stop(ABORT_DRAIN_MS);
    }
  }
}
