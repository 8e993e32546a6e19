/**
 * The primary: a Piscina pool of one worker thread per core, each given its share of the plan;
 * a shared start instant; interval snapshots merged by interval number as they arrive; a stop
 * that drains every worker. Remote agents feed the same `IntervalMerger` (remote-run.ts).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { partPath } from '../http/request-log.js';
import { shareOf } from '../load/pacer.js';
import { IntervalMerger } from '../measure/interval-merger.js';
import { SnapshotDecoder, type IntervalStats } from '../measure/snapshot.js';
import { stepCountOf, workersFor, type Run, type RunResult, type RunSpec, type WorkerFailure } from './contract.js';
import { yieldCoresToWorkers } from './primary-priority.js';
import { RunAccumulator } from './run-accumulator.js';
import { WorkerLedger } from './worker-loss.js';
import { epochNowMs, type ControlMessage, type WorkerLoad, type WorkerMessage, type WorkerTask } from './worker-protocol.js';
import { collectGarbageEvery } from './garbage-collection.js';

/** How long workers get between `ready` and the start instant, so every one starts on time. */
const START_LEAD_MS = 50;

/**
 * The young generation of each worker thread, MiB: two semi-spaces of 8 MiB (V8 gives a third of
 * it to each, and the last third to young objects too large for them). V8 doubles a semi-space
 * when many young objects survive a scavenge, and halves it back only once the thread allocates
 * little. A stall of the target keeps a second of requests alive through scavenges, and undici's
 * workers, which allocate for every request, then kept 16 MiB semi-spaces for the rest of the run:
 * each worker's heap 16 MiB larger, its pages filling in after each stall (the 15-minute endurance
 * run of issue 14: 237 -> 291 MB). Bounded, a stall's survivors are promoted instead, as garbage a
 * major collection takes back. 8 MiB is where undici's workers settle at 1,000 req/s with nothing
 * going wrong (the same GC time with the bound, 3 minutes with a stall every 30 s); the lean
 * client's stay at 4 MiB or less.
 */
const WORKER_YOUNG_GENERATION_MB = 24;

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
  return spec.workerSlots
    ? { index: spec.workerSlots.first + localIndex, count: spec.workerSlots.total }
    : { index: localIndex, count: localCount };
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
  private startSent = false;
  private readonly failures: WorkerFailure[] = [];
  /** workers that are ready, or died before they were: the start waits for no one else */
  private readonly accountedForStart = new Set<number>();
  private readonly workerCount: number;

  constructor(
    private readonly spec: RunSpec,
    /** called with each merged interval once every worker has reported it */
    private readonly onInterval: (interval: IntervalStats) => void = () => undefined,
  ) {
    this.workerCount = workersFor(spec.workers, spec.load.kind === 'clients' ? spec.load.clients : null);
  }

  async run(): Promise<RunResult> {
    const { workerCount } = this;
    const pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: workerCount,
      maxThreads: workerCount,
      concurrentTasksPerWorker: 1,
      // the task is long and asynchronous: the worker must not block in Atomics.wait between messages
      atomics: 'disabled',
      idleTimeout: 1000,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // Piscina emits 'error' for a worker that dies without a task; unhandled, that would end the
    // primary. A worker with a task is reported through its task's rejection (runWorker).
    pool.on('error', () => undefined);
    const accumulated = new RunAccumulator();
    // what the merger hands on is copied by the accumulator and the live outputs, never kept
    const merger = new IntervalMerger(
      workerCount,
      (interval) => {
        accumulated.add(interval);
        this.onInterval(interval);
      },
      true,
    );
    const tasks = Array.from({ length: workerCount }, (_, workerIndex) => this.runWorker(pool, merger, workerIndex));
    const stopCollecting = collectGarbageEvery();
    try {
      await Promise.all(tasks);
    } finally {
      stopCollecting();
    }
    const elapsedS = this.startSent ? this.secondsSinceStart() : 0;
    await pool.destroy();
    return {
      series: accumulated.points(),
      total: accumulated.total,
      interrupted: this.stopRequested,
      workerFailures: this.failures,
      elapsedS,
    };
  }

  /** One worker's task, its messages into the merger, and what a worker that dies leaves behind. */
  private async runWorker(pool: Piscina, merger: IntervalMerger, workerIndex: number): Promise<void> {
    const channel = new MessageChannel();
    this.ports.push(channel.port1);
    const ledger = new WorkerLedger(stepCountOf(this.spec.load));
    // what it decodes is added to the ledger and the merger at once, so its histograms are reused
    const decoder = new SnapshotDecoder();
    let markDone!: () => void;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    channel.port1.on('message', (message: WorkerMessage) => {
      if (message.type === 'done') {
        markDone();
      } else if (message.type === 'snapshot') {
        const stats = decoder.decode(message.snapshot);
        ledger.add(stats);
        merger.add(workerIndex, stats);
      } else if (message.type === 'ready') {
        this.accountedForStart.add(workerIndex);
        this.startWhenReady();
      }
    });
    try {
      await pool.run(this.taskFor(workerIndex, channel.port2), { transferList: [channel.port2] });
      // The result and the port are separate channels: wait for `done`, which follows the last snapshot.
      await done;
    } catch (error) {
      this.failures.push({ workerIndex, atS: this.secondsSinceStart(), message: (error as Error).message });
      this.accountedForStart.add(workerIndex);
      this.startWhenReady();
      // snapshots the worker posted before it died may still be on their way
      await portDrained(channel.port1);
      const lost = ledger.lost();
      if (lost) merger.add(workerIndex, lost);
    } finally {
      merger.finish(workerIndex);
      channel.port1.close();
    }
  }

  private taskFor(workerIndex: number, port: MessagePort): WorkerTask {
    const { spec } = this;
    const slot = slotOf(spec, workerIndex, this.workerCount);
    return {
      workerIndex: slot.index,
      workerCount: slot.count,
      target: spec.target,
      load: loadFor(spec, slot),
      intervalMs: spec.intervalMs,
      warmupMs: spec.load.kind === 'rate' ? spec.warmupMs : 0,
      ...(spec.client ? { client: spec.client } : {}),
      connections: spec.connections,
      timeoutMs: spec.timeoutMs,
      maxInflight: spec.maxInflight,
      maxBodyBytes: spec.maxBodyBytes ?? null,
      requestLogPath: spec.requestLogPath ? partPath(spec.requestLogPath, workerIndex) : null,
      port,
    };
  }

  /** Starts once every worker still alive is ready: a worker that died first must not hold the others. */
  private startWhenReady(): void {
    const { spec, workerCount } = this;
    if (this.startSent || this.accountedForStart.size < workerCount || this.failures.length >= workerCount) return;
    this.startSent = true;
    if (spec.lastPool) yieldCoresToWorkers();
    // the measured start; workers begin the warm-up that long before it
    this.startAtEpochMs = spec.startAtEpochMs ?? epochNowMs() + START_LEAD_MS + (spec.load.kind === 'rate' ? spec.warmupMs : 0);
    this.broadcast(this.stopping ? { type: 'stop', drainMs: 0 } : { type: 'start', startAtEpochMs: this.startAtEpochMs });
  }

  /** As Run.stop. */
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
