/**
 * The run contract: what every kind of run (worker threads on this machine, load boxes over ssh)
 * is given and gives back. A leaf: it imports types only, from the layers below the runs, so that
 * implementations, the ramp, the summary and the reports can all depend on it and never on each
 * other's implementations.
 */
import type { ClientKind, TargetSpec } from '../http/target.js';
import type { RateSegment } from '../load/pacer.js';
import type { AgentPart } from '../measure/agent-part.js';
import type { IntervalPoint } from '../measure/interval-series.js';
import type { IntervalStats } from '../measure/snapshot.js';
import type { StepReport } from '../verdict/step-report.js';

/** What a run is given: a target, a load, and the generator's settings. */
export interface RunSpec {
  target: TargetSpec;
  load:
    | { kind: 'rate'; segments: RateSegment[] }
    | { kind: 'clients'; clients: number; requests: number | null; durationMs: number | null };
  /** how many worker threads (the plan's count, or fewer for a small closed loop) */
  workers: number;
  /** the HTTP client of the workers; absent: the lean one */
  client?: ClientKind;
  /** keep-alive connections per worker */
  connections: number;
  /** total deadline per request, ms */
  timeoutMs: number;
  /** in-flight cap per worker; requests due beyond it are counted as dropped */
  maxInflight: number;
  /** length of a reporting interval, ms */
  intervalMs: number;
  /** open loop: unrecorded load at the first rate before the measured start, ms (0: none) */
  warmupMs: number;
  /**
   * This run's workers are `first`.. of `total` across every load box: the shares and the pacing
   * offsets interleave across all of them. Absent: these workers are all there is.
   */
  workerSlots?: { first: number; total: number };
  /** the measured start, ms since the epoch on this machine's clock; absent: as soon as every worker is ready */
  startAtEpochMs?: number;
  /** response bodies longer than this are cut off as `too-large`; null or absent: no limit */
  maxBodyBytes?: number | null;
  /** --log FILE.csv: each worker appends to FILE.csv.partN (joined by the caller) */
  requestLogPath?: string | null;
  /**
   * No run of this process starts worker threads after this one: once its workers are ready, the
   * primary thread lowers its own priority (primary-priority.ts).
   */
  lastPool?: boolean;
}

/** When and why a part of the run (a load box) was lost. */
export interface Loss {
  /** seconds since the start of the run */
  atS: number;
  message: string;
}

/** A worker thread that died, and why. */
export interface WorkerFailure extends Loss {
  workerIndex: number;
}

/** A load box clock's distance from the controller's (remote/clock-offset.ts estimates it). */
export interface ClockOffset {
  /** agent clock minus controller clock, ms */
  offsetMs: number;
  /** round trip of the sample used, ms */
  rttMs: number;
  /** the offset is right within this, ms (half the round trip) */
  uncertaintyMs: number;
}

/** One load box's part of a remote run. */
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
  /** null when it ran to the end */
  lost: Loss | null;
  /** its agent was uploaded (true) or found in its cache (false); null: started by --remote-command */
  shipped: boolean | null;
  /** seconds from starting its ssh to its agent's hello */
  setupS: number;
}

export interface RemoteResult {
  agents: AgentRunResult[];
  /** true when a lost box ended the run (--abort-on-agent-loss) */
  abortedOnAgentLoss: boolean;
}

export interface RunResult {
  /** the run over time: merged intervals, coarsened pairwise on long runs */
  series: IntervalPoint[];
  /** everything merged */
  total: IntervalStats;
  /** true when a stop ended the run before its plan */
  interrupted: boolean;
  workerFailures: WorkerFailure[];
  /** wall time from the start instant to the last worker's end, s */
  elapsedS: number;
  /** load boxes: each one's figures, clocks, losses (absent for a local run) */
  remote?: RemoteResult;
}

/**
 * Where a merged interval lies in an open loop's plan: the step it falls in, 0-based (a ramp's
 * refining runs count on after its steps), and the rate that step offers, requests/s.
 */
export interface StepPlace {
  step: number;
  offeredRate: number;
}

/**
 * Receives each merged interval, for a remote run each box's part of it, and for an open loop
 * its place in the plan (given by whoever drives the runs: main, the ramp).
 */
export type IntervalListener = (interval: IntervalStats, parts?: readonly AgentPart[], place?: StepPlace) => void;

/**
 * A live output of the primary (the progress line, --hdr-log, --metrics, --dashboard): told of each
 * merged interval once, in order (the controller's merge of every worker and every load box), with
 * its place in an open loop's plan; of each ramp step as soon as it is judged; and that the run
 * has ended, its figures final, before its summary is printed. Called once per interval or step,
 * never per request. The merged interval is the run's to fill again once `interval` returns: a
 * listener copies what it keeps.
 */
export interface RunListener {
  interval(merged: IntervalStats, parts?: readonly AgentPart[], place?: StepPlace): void;
  /** a step of the ramp (or of --refine) just judged */
  step?(report: StepReport): void;
  ended?(): void;
}

/** A run on this machine (LocalRun) or on load boxes (RemoteRun). */
export interface Run {
  run(): Promise<RunResult>;
  /**
   * Stops the load; in-flight requests get `drainMs` before they count as interrupted. A stop the
   * plan itself decided (a ramp that broke) is not an interruption of the run.
   */
  stop(drainMs: number, planned?: boolean): void;
}

export type RunFactory = (spec: RunSpec, onInterval: IntervalListener) => Run;

/** The stress ramp, as the ramp runner needs it. */
export interface RampPlan {
  /** offered rate of each step, requests/s, rising */
  rates: number[];
  /** length of each step, ms */
  stepMs: number;
  /** most (failures + drops) / scheduled for a step to hold, 0..1 */
  maxErrorRate: number;
  /** p99 latency bound for a step to hold, ms; null for none */
  sloP99Ms: number | null;
  /** end the ramp after the first step that does not hold */
  stopOnBreak: boolean;
  /** bisect between the last held and the first broken step afterwards */
  refine: boolean;
}

/**
 * Worker threads a run uses: a closed loop (`clients` given) no more than its clients, since a
 * worker without a client would only idle.
 */
/**
 * The highest rate one worker is given when --workers is not: a tenth or so of what one worker
 * holds on a quiet core (BENCHMARKS.md), so its event loop stays prompt and its latency the server's.
 */
export const RATE_PER_WORKER = 10_000;

/**
 * Workers an open loop uses when --workers is not given: one per RATE_PER_WORKER of its highest
 * offered rate, at most one per core. More would only split the load thinner: each worker is a V8
 * heap of its own, with its own connections and its own garbage, and in a long run at a low rate
 * those heaps were most of the process's memory and all of its growth (BENCHMARKS.md). A closed
 * loop (null) keeps one per core.
 */
export function defaultWorkers(cpuCount: number, peakRate: number | null): number {
  const cores = Math.max(1, cpuCount);
  return peakRate === null ? cores : Math.min(cores, Math.max(1, Math.ceil(peakRate / RATE_PER_WORKER)));
}

export function workersFor(workers: number, clients: number | null): number {
  return clients === null ? workers : Math.min(workers, clients);
}

/**
 * Steps a run's load has, as its workers count them (measure/step-timeline.ts): one per phase of
 * an open loop, and one for a closed loop.
 */
export function stepCountOf(load: RunSpec['load']): number {
  return load.kind === 'rate' ? Math.max(1, load.segments.length) : 1;
}
