/**
 * The primary: a Piscina pool of one worker thread per core, each given its share of the plan;
 * a shared start instant; interval snapshots merged by interval number as they arrive; a stop
 * that drains every worker. Remote agents feed the same `IntervalMerger` (remote-run.ts).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { epochNowMs, type ControlMessage, type WorkerLoad, type WorkerMessage, type WorkerResult, type WorkerTask } from './worker-protocol.js';
import type { TargetSpec } from '../http/sender.js';
import type { Plan } from '../plan/plan.js';
import { shareOf, type RateSegment } from '../load/pacer.js';
import { decodeSnapshot, emptyStats, mergeStats, type IntervalStats } from '../measure/snapshot.js';
import { IntervalMerger } from '../measure/interval-merger.js';
import { partPath } from '../http/request-log.js';
import { IntervalSeries, type IntervalPoint } from '../measure/interval-series.js';
import { WorkerLedger } from './worker-loss.js';
import type { RemoteResult } from '../remote/remote-run.js';

/** The plan's generator settings (see plan.ts for their meaning), a target and a load. */
export interface RunSpec extends Pick<Plan, 'connections' | 'timeoutMs' | 'maxInflight' | 'intervalMs' | 'warmupMs'> {
  target: TargetSpec;
  load:
    | { kind: 'rate'; segments: RateSegment[] }
    | { kind: 'clients'; clients: number; requests: number | null; durationMs: number | null };
  /** how many worker threads (the plan's count, or fewer for a small closed loop) */
  workers: number;
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
}

export interface WorkerFailure {
  workerIndex: number;
  /** seconds since the start of the run */
  atS: number;
  message: string;
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

/** One load box's part of a merged interval (remote runs only). */
export interface AgentPart {
  agent: string;
  workers: number;
  /** the box's share of the run's workers (and so of its rate), 0..1 */
  share: number;
  /** what it reported for this interval; null when it reported nothing */
  stats: IntervalStats | null;
  /** true when it reported nothing because it was lost */
  lost: boolean;
}

/** Receives each merged interval, and for a remote run each box's part of it. */
export type IntervalListener = (interval: IntervalStats, parts?: readonly AgentPart[]) => void;

/** A run on this machine (LocalRun) or on load boxes (RemoteRun). */
export interface Run {
  run(): Promise<RunResult>;
  /** as LocalRun.stop */
  stop(drainMs: number, planned?: boolean): void;
}

export type RunFactory = (spec: RunSpec, onInterval: IntervalListener) => Run;

/** Merged intervals -> the run's total and series, as every kind of run accumulates them. */
export class RunAccumulator {
  readonly total = emptyStats();
  private readonly series = new IntervalSeries();

  add(interval: IntervalStats): void {
    mergeStats(this.total, interval);
    this.series.add(interval);
  }

  points(): IntervalPoint[] {
    return this.series.points();
  }
}

/** How long workers get between `ready` and the start instant, so every one starts on time. */
const START_LEAD_MS = 50;

/** Longest wait for the messages of a dead worker, ms; its port closes once they are all delivered. */
const DEAD_PORT_WAIT_MS = 1000;

/** Resolves once `port` has delivered every message and closed (its worker is gone), or after a while. */
function portDrained(port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, DEAD_PORT_WAIT_MS);
    port.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A worker's place among every worker of the run, on this machine and on the other load boxes. */
function slotOf(spec: RunSpec, localIndex: number, localCount: number): { index: number; count: number } {
  return spec.workerSlots ? { index: spec.workerSlots.first + localIndex, count: spec.workerSlots.total } : { index: localIndex, count: localCount };
}

function loadFor(spec: RunSpec, slot: { index: number; count: number }): WorkerLoad {
  if (spec.load.kind === 'rate') return spec.load;
  const { clients, requests, durationMs } = spec.load;
  return {
    kind: 'clients',
    clients: shareOf(clients, slot.index, slot.count),
    requests: requests === null ? null : shareOf(requests, slot.index, slot.count),
    durationMs,
  };
}

export class LocalRun implements Run {
  private readonly ports: MessagePort[] = [];
  private stopRequested = false;
  private stopping = false;
  private startAtEpochMs = 0;

  constructor(
    private readonly spec: RunSpec,
    /** called with each merged interval once every worker has reported it */
    private readonly onInterval: (interval: IntervalStats) => void = () => undefined,
  ) {}

  async run(): Promise<RunResult> {
    const { spec } = this;
    // Closed-loop workers with no clients (more workers than clients) would only idle.
    const workerCount = spec.load.kind === 'clients' ? Math.min(spec.workers, spec.load.clients) : spec.workers;
    const pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: workerCount,
      maxThreads: workerCount,
      concurrentTasksPerWorker: 1,
      // the task is long and asynchronous: the worker must not block in Atomics.wait between messages
      atomics: 'disabled',
      idleTimeout: 1000,
    });
    // Piscina emits 'error' for a worker that dies without a task; unhandled, that would end the
    // primary. A worker with a task is reported through its task's rejection below.
    pool.on('error', () => undefined);
    const accumulated = new RunAccumulator();
    const merger = new IntervalMerger(workerCount, (interval) => {
      accumulated.add(interval);
      this.onInterval(interval);
    });
    const failures: WorkerFailure[] = [];
    /** workers that are ready, or died before they were: the start waits for no one else */
    const accountedForStart = new Set<number>();
    let startSent = false;
    const ledgers = Array.from({ length: workerCount }, () => new WorkerLedger());
    /** Starts once every worker still alive is ready: a worker that died first must not hold the others. */
    const startWhenReady = (): void => {
      if (startSent || accountedForStart.size < workerCount || failures.length >= workerCount) return;
      startSent = true;
      // the measured start; workers begin the warm-up that long before it
      this.startAtEpochMs = spec.startAtEpochMs ?? epochNowMs() + START_LEAD_MS + (spec.load.kind === 'rate' ? spec.warmupMs : 0);
      this.broadcast(this.stopping ? { type: 'stop', drainMs: 0 } : { type: 'start', startAtEpochMs: this.startAtEpochMs });
    };
    const tasks: Array<Promise<WorkerResult | null>> = [];

    for (let workerIndex = 0; workerIndex < workerCount; workerIndex++) {
      const channel = new MessageChannel();
      this.ports.push(channel.port1);
      let markDone!: () => void;
      const done = new Promise<void>((resolve) => (markDone = resolve));
      channel.port1.on('message', (message: WorkerMessage) => {
        if (message.type === 'done') {
          markDone();
        } else if (message.type === 'snapshot') {
          const stats = decodeSnapshot(message.snapshot);
          ledgers[workerIndex]!.add(stats);
          merger.add(workerIndex, stats);
        } else if (message.type === 'ready') {
          accountedForStart.add(workerIndex);
          startWhenReady();
        }
      });
      const slot = slotOf(spec, workerIndex, workerCount);
      const task: WorkerTask = {
        workerIndex: slot.index,
        workerCount: slot.count,
        target: spec.target,
        load: loadFor(spec, slot),
        intervalMs: spec.intervalMs,
        warmupMs: spec.load.kind === 'rate' ? spec.warmupMs : 0,
        connections: spec.connections,
        timeoutMs: spec.timeoutMs,
        maxInflight: spec.maxInflight,
        maxBodyBytes: spec.maxBodyBytes ?? null,
        requestLogPath: spec.requestLogPath ? partPath(spec.requestLogPath, workerIndex) : null,
        port: channel.port2,
      };
      const outcome = pool.run(task, { transferList: [channel.port2] }).then(
        // The result and the port are separate channels: wait for `done`, which follows the last snapshot.
        async (result: WorkerResult) => (await done, result),
        async (error: Error) => {
          failures.push({ workerIndex, atS: this.secondsSinceStart(), message: error.message });
          accountedForStart.add(workerIndex);
          startWhenReady();
          // snapshots the worker posted before it died may still be on their way
          await portDrained(channel.port1);
          const lost = ledgers[workerIndex]!.lost();
          if (lost) merger.add(workerIndex, lost);
          return null;
        },
      );
      tasks.push(
        outcome.finally(() => {
          merger.finish(workerIndex);
          channel.port1.close();
        }),
      );
    }

    await Promise.all(tasks);
    const elapsedS = startSent ? this.secondsSinceStart() : 0;
    await pool.destroy();
    return { series: accumulated.points(), total: accumulated.total, interrupted: this.stopRequested, workerFailures: failures, elapsedS };
  }

  /**
   * Stops the load; in-flight requests get `drainMs` before they count as interrupted. A stop the
   * plan itself decided (a ramp that broke) is not an interruption of the run.
   */
  stop(drainMs: number, planned = false): void {
    if (!planned) this.stopRequested = true;
    this.stopping = true;
    this.broadcast({ type: 'stop', drainMs });
  }

  private broadcast(message: ControlMessage): void {
    for (const port of this.ports) port.postMessage(message);
  }

  private secondsSinceStart(): number {
    return this.startAtEpochMs === 0 ? 0 : Math.max(0, (epochNowMs() - this.startAtEpochMs) / 1000);
  }
}
