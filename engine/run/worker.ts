/**
 * The Piscina task run by each worker thread: its share of the load, its own pool, its own
 * recorder, and a stream of interval snapshots to the primary. Lifecycle:
 *   ready -> (start at an absolute instant) -> load until the plan ends or a stop arrives
 *   -> drain in-flight requests (up to the timeout, or the stop's drain time) -> final snapshot.
 */
import { ClosedLoopClients } from '../load/closed-loop.js';
import { HttpSender } from '../http/sender.js';
import { intervalBounds, nextDrainInterval, type IntervalBounds } from '../measure/interval-bounds.js';
import type { ControlMessage, WorkerMessage, WorkerResult, WorkerTask } from './worker-protocol.js';
import { workerShare } from '../load/pacer.js';
import { IntervalRecorder } from '../measure/recorder.js';
import { StepTimeline } from '../measure/step-timeline.js';
import { OpenLoopScheduler, type LoadGenerator } from '../load/scheduler.js';
import { COLLECT_EVERY_MS, collectGarbageEvery, mostlyIdleSinceLastCall } from './garbage-collection.js';
import { GeneratorDelayMonitor } from './generator-delay.js';
import { WorkerMix } from '../load/endpoint-mix.js';
// imported, not the global: in a worker the global `performance` is a lazy getter, run on every
// read of the clock (twice or more a request; 20 ns a read measured in a worker thread)
import { performance } from 'node:perf_hooks';

/**
 * Emits the recorder's content at every interval boundary, on absolute times, with what the
 * generator's own event loop did meanwhile: how busy it was, how late it ran, its GC pauses.
 */
class IntervalTicker {
  private index = 0;
  private current: IntervalBounds;
  private timer: NodeJS.Timeout | null = null;
  private lastUtilization = performance.eventLoopUtilization();
  private readonly delay: GeneratorDelayMonitor;
  reported = 0;

  constructor(
    private readonly bounds: IntervalBounds[],
    private readonly intervalMs: number,
    private readonly recorder: IntervalRecorder,
    private readonly clock: () => number,
    private readonly post: (message: WorkerMessage) => void,
    private readonly workerIndex: number,
  ) {
    this.current = bounds[0] ?? { interval: 0, phase: 0, startMs: 0, endMs: intervalMs };
    this.delay = new GeneratorDelayMonitor(recorder);
  }

  /** Starts at the measured start (clock 0), even when called earlier for a warm-up. */
  start(): void {
    this.timer = setTimeout(
      () => {
        this.lastUtilization = performance.eventLoopUtilization();
        this.delay.start();
        this.timer = setTimeout(this.tick, Math.max(0, this.current.endMs - this.clock()));
      },
      Math.max(0, -this.clock()),
    );
  }

  private readonly tick = (): void => {
    this.emit(this.current);
    this.index++;
    this.current = this.bounds[this.index] ?? nextDrainInterval(this.current, this.intervalMs);
    this.timer = setTimeout(this.tick, Math.max(0, this.current.endMs - this.clock()));
  };

  /** Stops ticking and reports the interval in progress, cut at now. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.emit({ ...this.current, endMs: Math.max(this.current.startMs, Math.min(this.current.endMs, this.clock())) });
    this.delay.stop();
  }

  private emit(bounds: IntervalBounds): void {
    const utilization = performance.eventLoopUtilization(this.lastUtilization);
    this.lastUtilization = performance.eventLoopUtilization();
    this.recorder.recordLoopUtilization(utilization.active, utilization.active + utilization.idle);
    this.delay.flush();
    const snapshot = this.recorder.takeSnapshot(bounds.interval, bounds.phase, bounds.startMs, bounds.endMs);
    this.post({ type: 'snapshot', workerIndex: this.workerIndex, snapshot });
    this.reported++;
  }
}

/** The lengths of the task's phases (ramp steps): the open loop's segments, or a closed loop's duration. */
function phaseDurationsOf(load: WorkerTask['load']): number[] {
  if (load.kind === 'rate') return load.segments.map((segment) => segment.durationMs);
  return load.durationMs === null ? [] : [load.durationMs];
}

/** The task's load: an open-loop schedule (its warm-up ahead) or closed-loop clients. */
function loadGenerator(
  task: WorkerTask,
  sender: HttpSender,
  recorder: IntervalRecorder,
  warmupRecorder: IntervalRecorder,
  timeline: StepTimeline,
  clock: () => number,
): LoadGenerator {
  const endpoints = task.target.endpoints;
  const mix =
    endpoints === undefined
      ? null
      : new WorkerMix(
          endpoints.map((endpoint) => endpoint.weight),
          task.workerIndex,
          task.workerCount,
        );
  if (task.load.kind === 'rate') {
    const first = task.load.segments[0];
    // the warm-up runs at the first rate, ahead of the plan's own schedule
    const warmupSegment =
      task.warmupMs > 0 && first ? [{ durationMs: task.warmupMs, fromRate: first.fromRate, toRate: first.fromRate }] : [];
    const schedule = workerShare([...warmupSegment, ...task.load.segments], task.workerIndex, task.workerCount);
    const warmup = task.warmupMs > 0 ? { leadMs: task.warmupMs, recorder: warmupRecorder } : null;
    return new OpenLoopScheduler(schedule, sender, recorder, timeline, clock, task.maxInflight, warmup, mix);
  }
  const { clients, requests, durationMs } = task.load;
  return new ClosedLoopClients(clients, requests, durationMs, sender, recorder, clock, mix);
}

export default async function runWorkerTask(task: WorkerTask): Promise<WorkerResult> {
  const { port, workerIndex } = task;
  const post = (message: WorkerMessage) => port.postMessage(message);
  let startPerfMs = Number.POSITIVE_INFINITY;
  const clock = () => performance.now() - startPerfMs;
  const phaseDurations = phaseDurationsOf(task.load);
  const timeline = new StepTimeline(phaseDurations);
  const recorder = new IntervalRecorder(timeline, task.target.endpoints?.length ?? 0);
  // the warm-up's outcomes, never reported: recorded like the run's so that the warm-up runs its code
  const warmupRecorder = new IntervalRecorder(timeline, task.target.endpoints?.length ?? 0);
  // the log's code (and node:readline and node:fs/promises with it) only for --log
  const requestLog = task.requestLogPath ? new (await import('../http/request-log.js')).RequestLog(task.requestLogPath) : null;
  const sender = await HttpSender.open(task.target, {
    client: task.client ?? 'lean',
    connections: task.connections,
    timeoutMs: task.timeoutMs,
    maxBodyBytes: task.maxBodyBytes ?? null,
    requestLog,
    // a closed loop has no schedule: its latency is the service time
    dueWhenSent: task.load.kind === 'clients',
    // half the in-flight cap: requests held while the target refuses must not reach the cap
    holdLimit: Math.max(1, Math.floor(task.maxInflight / 2)),
    recorder,
    warmupRecorder,
    clock,
  });

  const generator = loadGenerator(task, sender, recorder, warmupRecorder, timeline, clock);
  const ticker = new IntervalTicker(intervalBounds(phaseDurations, task.intervalMs), task.intervalMs, recorder, clock, post, workerIndex);

  let drainMs = task.timeoutMs;
  let stopped = false;
  const started = new Promise<void>((resolveStarted) => {
    port.on('message', (message: ControlMessage) => {
      if (message.type === 'start') {
        startPerfMs = message.startAtEpochMs - performance.timeOrigin;
        // handshakes now, not in the first requests' latency
        sender.openConnections();
        setTimeout(resolveStarted, Math.max(0, -clock() - task.warmupMs));
      } else if (message.type === 'stop') {
        stopped = true;
        drainMs = message.drainMs;
        generator.stop();
        resolveStarted();
        // a stop that arrives while draining shortens the drain
        void sender.drain(clock() + drainMs);
      }
    });
  });
  post({ type: 'ready', workerIndex });
  const stopCollecting = collectGarbageEvery(COLLECT_EVERY_MS, mostlyIdleSinceLastCall());

  await started;
  if (!stopped) {
    if (startPerfMs === Number.POSITIVE_INFINITY) startPerfMs = performance.now();
    ticker.start();
    generator.start();
  }
  await generator.finished;
  recorder.allStepsIssued();
  await sender.drain(clock() + drainMs);
  sender.interruptInflight();
  if (startPerfMs === Number.POSITIVE_INFINITY) startPerfMs = performance.now();
  ticker.finish();
  requestLog?.close();
  post({ type: 'done', workerIndex });
  await sender.close();
  stopCollecting();
  port.close();
  return { workerIndex, intervals: ticker.reported, stopped };
}
