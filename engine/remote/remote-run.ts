/**
 * A run on load boxes, with the shape of LocalRun: the same spec, the same snapshots, the same
 * merge. Each box gets its slots of the global worker schedule (agent-share.ts) and the start
 * instant converted to its own clock; its merged interval snapshots come back over ssh and go
 * through the one `IntervalMerger`, a box being one source. Each box's own total is kept beside
 * the merge, so a weak or overloaded box shows in the report.
 *
 * A box that dies mid-run (ssh ended, or silent too long) is recorded with when and why; what it
 * sent until then stays merged, and the run goes on without it, unless told to abort. So is a box
 * that breaks the protocol: each snapshot is checked against the run before it is merged (its
 * interval after the box's last and no later than can have ended, its steps the run's, its figures
 * whole and adding up, box-message-check.ts), and the first that fails ends the box with the reason.
 * Every wait is bounded: by the plan's end plus margins, by the stop's drain plus a limit, by silence.
 */
import { IntervalMerger } from '../measure/interval-merger.js';
import type { AgentPart } from '../measure/agent-part.js';
import { emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';
import {
  stepCountOf,
  type IntervalListener,
  type RemoteResult,
  type Run,
  type RunResult,
  type RunSpec,
  type WorkerFailure,
} from '../run/contract.js';
import { RunAccumulator } from '../run/run-accumulator.js';
import { WorkerLedger } from '../run/worker-loss.js';
import { epochNowMs } from '../run/worker-protocol.js';
import { agentSpec, assignSlots, shareOfSlots, slotCap, type AgentSlots } from './agent-share.js';
import type { Fleet, FleetMember } from './fleet.js';
import { checkSnapshot, failuresProblem, type SnapshotLimits } from './box-message-check.js';
import { stripControls } from '../../common/strip-controls.js';
import { collectGarbageEvery } from '../run/garbage-collection.js';

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
/**
 * How far a box's interval may end past the controller's clock: the clocks' offset is measured
 * and corrected, so this only has to cover its error and the box's own timers, with room to spare.
 */
const LATE_SLACK_MS = 10_000;

interface Active {
  member: FleetMember;
  slots: AgentSlots;
  total: IntervalStats;
  /**
   * What a lost box's requests in flight became is unknown: it sent them, and died before it
   * could report them. The ledger counts them as `interrupted` failures, each in the step it was
   * due in, merged as the box's last interval, so that scheduled = requests + dropped and
   * requests = success + failure keep holding exactly after the merge, in the intervals, the
   * steps and the totals alike.
   */
  ledger: WorkerLedger;
  done: boolean;
  /** the last interval it reported (-1: none yet) */
  lastInterval: number;
  /** forces the box's end in this run (it is then lost) */
  end: (why: string) => void;
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
  private readonly failures: WorkerFailure[] = [];
  /** each box's snapshot of an interval not yet merged, by interval number */
  private readonly parts = new Map<number, Array<IntervalStats | null>>();

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
    const slots = assignSlots(
      members.map((member) => member.workers),
      slotCap(spec),
    );
    const accumulated = new RunAccumulator();
    if (this.stopDeadlineMs !== null || members.length === 0) {
      // stopped before it began, or no box left: nothing ran
      return {
        series: [],
        total: accumulated.total,
        interrupted: true,
        workerFailures: [],
        elapsedS: 0,
        remote: { agents: [], abortedOnAgentLoss: this.abortedOnLoss },
      };
    }
    const merger = this.mergerInto(accumulated, members.length);
    const runId = this.fleet.nextRunId();
    this.runId = runId;
    const worstRttMs = Math.max(...members.map((member) => member.clock.rttMs));
    this.startAtMs = epochNowMs() + START_LEAD_MS + 2 * worstRttMs + (spec.load.kind === 'rate' ? spec.warmupMs : 0);

    const endings = members.map((member, index) => this.runBox(member, slots[index]!, index, runId, merger));
    const watch = setInterval(() => this.watchBoxes(), HEARTBEAT_MS);
    const stopCollecting = collectGarbageEvery();
    try {
      await Promise.all(endings);
    } finally {
      stopCollecting();
    }
    clearInterval(watch);
    for (const box of this.active) box.member.link.listener = null;
    const now = epochNowMs();
    return {
      series: accumulated.points(),
      total: accumulated.total,
      interrupted: this.stopRequested,
      workerFailures: this.failures,
      elapsedS: now > this.startAtMs ? (now - this.startAtMs) / 1000 : 0,
      remote: this.remoteResult(),
    };
  }

  /** The one merger of the run, a box being one source; each merged interval goes out with every box's part. */
  private mergerInto(accumulated: RunAccumulator, boxes: number): IntervalMerger {
    return new IntervalMerger(
      boxes,
      (interval) => {
        accumulated.add(interval);
        const reported = this.parts.get(interval.interval) ?? [];
        this.parts.delete(interval.interval);
        this.onInterval(
          interval,
          this.active.map(
            (box, index): AgentPart => ({
              agent: box.member.link.name,
              workers: box.slots.workers,
              share: shareOfSlots(box.slots),
              stats: reported[index] ?? null,
              lost: (reported[index] ?? null) === null && box.member.lost !== null,
            }),
          ),
        );
        // copied by the accumulator and the live outputs, never kept: the merger fills it again
      },
      true,
    );
  }

  /** Sends one box its plan and feeds what it reports into the merger; resolves when it is done or lost. */
  private runBox(member: FleetMember, slots: AgentSlots, index: number, runId: number, merger: IntervalMerger): Promise<void> {
    const stepCount = stepCountOf(this.spec.load);
    return new Promise<void>((resolve) => {
      const box: Active = {
        member,
        slots,
        total: emptyStats(),
        ledger: new WorkerLedger(stepCount, null),
        done: false,
        lastInterval: -1,
        end: (why) => member.link.kill(why),
      };
      this.active.push(box);
      const merge = (stats: IntervalStats) => {
        mergeStats(box.total, stats);
        let reported = this.parts.get(stats.interval);
        if (!reported) {
          reported = [];
          this.parts.set(stats.interval, reported);
        }
        reported[index] = stats;
        merger.add(index, stats);
      };
      const finish = (lostWhy: string | null) => {
        if (box.done) return;
        box.done = true;
        if (lostWhy !== null) {
          this.lose(box, lostWhy);
          const lost = box.ledger.lost();
          if (lost) merge(lost);
        }
        merger.finish(index);
        resolve();
      };
      if (slots.workers === 0) return finish(null); // more boxes than clients: this one sits out
      member.link.listener = (message) => {
        if (message.type === 'snapshot' && message.runId === runId) {
          const stats = checkSnapshot(message.snapshot, this.snapshotLimits(box, stepCount));
          // nothing more from a box whose figures cannot be trusted: what it sent before is kept
          if (typeof stats === 'string') return member.link.breakProtocol(stats);
          box.lastInterval = stats.interval;
          box.ledger.add(stats);
          merge(stats);
        } else if (message.type === 'done' && message.runId === runId) {
          const problem = failuresProblem(message.workerFailures, slots.workers);
          if (problem !== null) return member.link.breakProtocol(problem);
          for (const failure of message.workerFailures) {
            this.failures.push({
              workerIndex: slots.first + failure.workerIndex,
              atS: failure.atS,
              message: stripControls(`agent ${member.link.name}: ${failure.message}`),
            });
          }
          // the box has said all it will say about this run
          member.link.listener = null;
          finish(null);
        }
      };
      void member.link.gone.then((why) => finish(why));
      member.link.send({ type: 'plan', runId, spec: agentSpec(this.spec, slots, this.startAtMs, member.clock) });
    });
  }

  /**
   * What a box's next snapshot is checked against: the run's steps, the box's last interval, and
   * the controller's clock. Intervals are at most `intervalMs` long and restart at each step, so
   * the interval that starts at t ms has a number of at most t / intervalMs plus the steps begun;
   * one that is reported has ended, on the box's clock, which is the controller's corrected.
   */
  private snapshotLimits(box: Active, stepCount: number): SnapshotLimits {
    const maxEndMs = Math.max(0, epochNowMs() - this.startAtMs) + LATE_SLACK_MS;
    return {
      stepCount,
      after: box.lastInterval,
      maxInterval: stepCount + Math.ceil(maxEndMs / this.spec.intervalMs),
      maxEndMs,
      inFlight: box.ledger.outstanding,
      endpointCount: this.spec.target.endpoints?.length ?? 0,
    };
  }

  /** The heartbeat, and every wait bounded: a box silent too long, or not done long after the end or a stop, is lost. */
  private watchBoxes(): void {
    const { spec } = this;
    const planned = plannedMs(spec);
    const endDeadlineMs = planned === null ? null : this.startAtMs + planned + spec.timeoutMs + END_MARGIN_MS;
    const silenceLimitMs = SILENCE_LIMIT_MS + 3 * spec.intervalMs;
    const now = epochNowMs();
    for (const box of this.active) {
      if (box.done) continue;
      box.member.link.heartbeat();
      if (now - box.member.link.lastHeardMs > silenceLimitMs)
        box.end(`silent for ${Math.round((now - box.member.link.lastHeardMs) / 1000)} s`);
      else if (endDeadlineMs !== null && now > endDeadlineMs) box.end("not done long after the plan's end");
      else if (this.stopDeadlineMs !== null && now > this.stopDeadlineMs) box.end('not done long after the stop');
    }
  }

  private remoteResult(): RemoteResult {
    return {
      agents: this.active.map((box) => ({
        agent: box.member.link.name,
        workers: box.slots.workers,
        share: shareOfSlots(box.slots),
        inflightCapacity: this.spec.maxInflight * box.slots.workers,
        clock: box.member.clock,
        total: box.total,
        lost: box.member.lost,
        shipped: box.member.shipped,
        setupS: box.member.setupS,
      })),
      abortedOnAgentLoss: this.abortedOnLoss,
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
    box.member.lost = { atS, message: stripControls(why) };
    this.options.notice?.(`stress: agent ${box.member.link.name} lost at ${atS.toFixed(1)} s: ${box.member.lost.message}`);
    if (this.options.abortOnAgentLoss && this.stopDeadlineMs === null) {
      this.abortedOnLoss = true;
      this.stop(ABORT_DRAIN_MS);
    }
  }
}
