/**
 * `bin/stress`: the thin shell around the engine. Parses and validates, starts the bundled target
 * when no URL is given, runs, prints. Exit codes: 0 done, 2 bad input, 130, 143 or 129 interrupted (SIGINT, SIGTERM, SIGHUP), 1 crash,
 * a load box that could not be used, or a run aborted by --abort-on-agent-loss.
 * `bin/stress agent` is the load box's side (agent.ts).
 */
import { availableParallelism, constants as osConstants } from 'node:os';
import { parseCommandLine, UsageError } from './plan/cli.js';
import { buildPlan, PlanError, targetSpec, type Plan } from './plan/plan.js';
import { outputProblems } from './report/output-paths.js';
import { generatorWarning, readLocalLimits } from './verdict/generator-limits.js';
import type { RampReport } from './verdict/step-report.js';
import { Progress } from './report/progress.js';
import { asHtmlReport, reportDocument } from './report/document.js';
import type { Dashboard } from './dashboard/dashboard.js';
import { ListenError } from '../common/listen-address.js';
import { openHlog, writeReports } from './report/files.js';
import { judgeThresholds } from './verdict/thresholds.js';
import { joinParts, removeParts } from './http/request-log.js';
import type { IntervalStats } from './measure/snapshot.js';
import { workersFor, type IntervalListener, type RunListener, type RunResult, type RunSpec } from './run/contract.js';
import { AgentError } from './remote/agent-error.js';
import { openRuns, type Runs } from './run-factory.js';
import { count } from '../common/format.js';
import { VERSION } from '../common/version.js';
import { summarize } from './summary/summary.js';
import type { MetricsEndpoint } from './metrics/metrics-endpoint.js';

/** The longest wait for the handshake that asks a --http2 server whether it speaks h2. */
const PROBE_LIMIT_MS = 10_000;

/** How long in-flight requests get after Ctrl-C before they count as interrupted. */
const INTERRUPT_DRAIN_MS = 2000;

/** Writes `text` to stdout and gives `code` back: --help and --version. */
function printed(text: string, code: number): number {
  process.stdout.write(text);
  return code;
}

function usageFailure(message: string): number {
  process.stderr.write(`stress: ${message} (see stress --help)\n`);
  return 2;
}

/** The target the workers load: the URL given, or the bundled target server (in a thread of its own). */
interface Target {
  url: string;
  /** stops the bundled target and ends its thread (nothing for a URL); resolves once it is gone */
  close(): Promise<void>;
}

/**
 * The bundled target server when no URL is given. From its start on, a second signal closes it
 * without a drain before the process exits: exiting with its thread alive aborts the process.
 */
async function resolveTarget(plan: Plan, interrupts: Interrupts): Promise<Target> {
  if (plan.url !== null) return { url: plan.url, close: async () => undefined };
  const { startBundledTarget } = await import('./bundled-target.js');
  const bundled = startBundledTarget({ ...plan.report.bundled, host: '127.0.0.1', port: 0 });
  const forget = interrupts.beforeQuit(() => bundled.close(0));
  const close = async (): Promise<void> => {
    await bundled.close();
    forget();
  };
  let listening: { url: string; engine: string };
  try {
    listening = await bundled.listening;
  } catch (error) {
    await close();
    throw error;
  }
  if (!plan.quiet)
    process.stderr.write(`stress: bundled target server on ${listening.url} (uWebSockets.js ${listening.engine}, in its own thread)\n`);
  return { url: `${listening.url}/test-get/0`, close };
}

function baseSpec(plan: Plan, url: string, workers: number): Omit<RunSpec, 'load'> {
  return {
    target: targetSpec(plan, url),
    workers,
    // a closed-loop client holds one connection; an open loop shares its pool
    connections: plan.mode === 'clients' ? Math.ceil(plan.clients! / workers) : plan.connections,
    timeoutMs: plan.timeoutMs,
    maxInflight: plan.maxInflight,
    maxBodyBytes: plan.maxBodyBytes,
    client: plan.client,
    requestLogPath: plan.report.log,
    intervalMs: plan.intervalMs,
    warmupMs: plan.warmupMs,
  };
}

export async function main(argv: string[]): Promise<number> {
  // the agent's code is loaded only on a load box
  if (argv[0] === 'agent') return (await import('./remote/agent.js')).agentCommand(argv.slice(1));
  if (argv[0] === 'report') return (await import('./report/report-command.js')).reportCommand(argv.slice(1));
  const plan = await readPlan(argv);
  return typeof plan === 'number' ? plan : runPlan(plan);
}

/** The validated plan, or the exit code of --help, --version or bad input. */
async function readPlan(argv: string[]): Promise<Plan | number> {
  try {
    const outcome = await parseCommandLine(argv, availableParallelism());
    if (outcome.kind === 'help') return printed(`${outcome.text}\n`, 0);
    if (outcome.kind === 'version') return printed(`stress ${VERSION}\n`, 0);
    const plan = buildPlan(outcome.options, availableParallelism());
    const { out, html, hdrLog, log } = plan.report;
    const outputs = [
      { flag: '--out', path: out },
      { flag: '--html', path: html },
      { flag: '--hdr-log', path: hdrLog },
      { flag: '--log', path: log },
    ];
    // before any load: a run may last hours, and its files would fail only at the end
    const { bodyFile, targets } = outcome.options;
    const inputs = [...(bodyFile ? [bodyFile.path] : []), ...(targets ? [targets.path] : [])];
    const problems = outputProblems(outputs, inputs);
    if (problems.length > 0) throw new PlanError(problems);
    // before any load, and before a load box is set up: one handshake says whether the server speaks h2
    if (plan.http2 !== null && plan.url !== null) {
      const { http2Refusal } = await import('./http/alpn-probe.js');
      const refusal = await http2Refusal(targetSpec(plan, plan.url), Math.min(plan.timeoutMs, PROBE_LIMIT_MS));
      if (refusal !== null) throw new PlanError([refusal]);
    }
    return plan;
  } catch (error) {
    if (error instanceof UsageError || error instanceof PlanError) return usageFailure(error.message);
    throw error;
  }
}

/** A load run or a ramp, as main drives it. */
interface Runner {
  stop(drainMs: number): void;
  run(): Promise<{ result: RunResult; report: RampReport | null }>;
}

/** Ctrl-C, a polite kill, and the terminal closing: each ends the run with its partial summary. */
const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** How long a second signal waits for what must end before the process exits (the bundled target's thread). */
const QUIT_LIMIT_MS = 2000;

/**
 * SIGINT, SIGTERM and SIGHUP from the start of the set-up on: a Ctrl-C while the target, the workers or
 * the load boxes start up must still end in a summary (empty, marked interrupted), never in a
 * silent kill. A second one quits at once, with the first one's exit code and no summary, once
 * what was registered with `beforeQuit` is done (the bundled target's thread ended).
 */
class Interrupts {
  signals = 0;
  /** the shell's convention, 128 + the signal's number: 130 for SIGINT, 143 SIGTERM, 129 SIGHUP */
  exitCode = 130;
  readonly setUp = new AbortController();
  runner: Runner | null = null;
  private readonly quitTasks = new Set<() => Promise<void>>();
  private quitting = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (++this.signals > 1) {
      this.quit();
      return;
    }
    this.exitCode = 128 + (osConstants.signals[signal] ?? 2);
    // the terminal is gone: what cannot be printed is lost, the files are still written
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    this.setUp.abort();
    const what =
      this.runner === null
        ? 'stopping before any load is sent'
        : `stopping, waiting up to ${INTERRUPT_DRAIN_MS / 1000} s for requests in flight`;
    process.stderr.write(`\nstress: ${signal}: ${what} (again to quit at once)\n`);
    this.runner?.stop(INTERRUPT_DRAIN_MS);
  };

  install(): void {
    for (const signal of HANDLED_SIGNALS) process.on(signal, this.onSignal);
  }

  remove(): void {
    for (const signal of HANDLED_SIGNALS) process.off(signal, this.onSignal);
  }

  /** `task` runs before a second signal exits the process (all at once, within `QUIT_LIMIT_MS`); the result unregisters it. */
  beforeQuit(task: () => Promise<void>): () => void {
    this.quitTasks.add(task);
    return () => this.quitTasks.delete(task);
  }

  /**
   * Exits once every task is done: the bundled target's thread must have ended, or Node aborts
   * the process as it stops the thread (see bundled-target.ts). Past the limit (a thread that
   * will not end), it exits anyway. Files are removed by the process's 'exit' listeners.
   */
  private quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    const exit = (): never => process.exit(this.exitCode);
    setTimeout(exit, QUIT_LIMIT_MS);
    void Promise.allSettled([...this.quitTasks].map((task) => task())).then(exit);
  }
}

async function makeRunner(plan: Plan, base: Omit<RunSpec, 'load'>, listener: Required<RunListener>, runs: Runs): Promise<Runner> {
  const onInterval: IntervalListener = (interval, parts, place) => listener.interval(interval, parts, place);
  if (plan.mode === 'ramp') {
    const { RampRunner } = await import('./run/ramp-runner.js');
    return new RampRunner(plan.ramp!, base, onInterval, plan.maxLagMs, runs.makeRun, (report) => listener.step(report));
  }
  const load: RunSpec['load'] =
    plan.mode === 'rate'
      ? { kind: 'rate', segments: [{ durationMs: plan.durationMs!, fromRate: plan.rate!, toRate: plan.rate! }] }
      : { kind: 'clients', clients: plan.clients!, requests: plan.requests, durationMs: plan.durationMs };
  const place = plan.mode === 'rate' ? { step: 0, offeredRate: plan.rate! } : undefined;
  const run = runs.makeRun({ ...base, load, lastPool: true }, (interval, parts) => onInterval(interval, parts, place));
  return { stop: (drainMs) => run.stop(drainMs), run: async () => ({ result: await run.run(), report: null }) };
}

/**
 * The --metrics endpoint, listening: bound before the target starts and any load is sent, so an
 * address that cannot be used is bad input (exit 2), found at once. Null without --metrics.
 */
async function openMetrics(plan: Plan): Promise<MetricsEndpoint | null | number> {
  if (plan.metrics === null) return null;
  try {
    // loaded only when asked for: prom-client is most of the start-up of a run that does not use it
    const { openMetricsEndpoint } = await import('./metrics/metrics-endpoint.js');
    const endpoint = await openMetricsEndpoint(plan.metrics, {
      timeoutMs: plan.timeoutMs,
      intervalMs: plan.intervalMs,
      openLoop: plan.mode !== 'clients',
      ...(plan.targets ? { endpoints: plan.targets.endpoints.map((endpoint) => endpoint.name) } : {}),
    });
    // shown even with --quiet, like every port this process opens for others to reach
    process.stderr.write(`stress: metrics for Prometheus on ${endpoint.url}\n`);
    return endpoint;
  } catch (error) {
    if (error instanceof ListenError) return usageFailure(error.message);
    throw error;
  }
}

/** --dashboard: the live page, listening before any load is sent; a number: exit 2, the address could not be used. */
async function openDashboard(plan: Plan): Promise<Dashboard | null | number> {
  const address = plan.report.dashboard;
  if (address === null) return null;
  const title = plan.mode === 'ramp' ? 'Stress test' : 'Load test';
  const run = {
    mode: plan.mode,
    lastOffered: plan.ramp?.rates.at(-1) ?? null,
    plannedS: plan.durationMs === null ? null : plan.durationMs / 1000,
    endurance: plan.report.endurance,
  };
  try {
    const { Dashboard } = await import('./dashboard/dashboard.js');
    const dashboard = await Dashboard.open(address, run, plan.url ?? 'the bundled target server', title);
    // shown even with --quiet: it is the one way to find the page
    process.stderr.write(`stress: dashboard on ${dashboard.url}\n`);
    return dashboard;
  } catch (error) {
    if (error instanceof ListenError) return usageFailure(error.message);
    throw error;
  }
}

async function runPlan(plan: Plan): Promise<number> {
  const metrics = await openMetrics(plan);
  if (typeof metrics === 'number') return metrics;
  try {
    const dashboard = await openDashboard(plan);
    if (typeof dashboard === 'number') return dashboard;
    try {
      return await runWithOutputs(plan, dashboard, [...(metrics ? [metrics] : []), ...(dashboard ? [dashboard] : [])]);
    } finally {
      // after the summary is printed: a page open to the end loads the final report first
      await dashboard?.close();
    }
  } finally {
    // the summary is printed: the last scrape (or the linger) sees the final counts
    await metrics?.close();
  }
}

/** Runs the plan with `live` (the metrics endpoint, the dashboard) watching it, and reports it. */
async function runWithOutputs(plan: Plan, dashboard: Dashboard | null, live: RunListener[]): Promise<number> {
  const interrupts = new Interrupts();
  interrupts.install();
  let target: Target;
  try {
    target = await resolveTarget(plan, interrupts);
  } catch (error) {
    interrupts.remove();
    throw error;
  }
  let outcome: Measured | number;
  try {
    outcome = await measure(plan, target.url, interrupts, live);
  } finally {
    // on every way out of the run, an error too: the bundled target's thread must end before the process does
    await target.close();
    interrupts.remove();
  }
  if (typeof outcome === 'number') return outcome;
  // a mix is shown by its file: its endpoints have their own rows
  const shownTarget = plan.targets ? `${plan.targets.path} (${plan.targets.endpoints.length} endpoints)` : target.url;
  return reportRun(plan, { target: shownTarget, ...outcome.run }, outcome.result, outcome.report, interrupts.exitCode, dashboard);
}

/** What a run measured, for its summary. */
interface Measured {
  run: { workers: number; startedAt: Date };
  result: RunResult;
  report: RampReport | null;
}

/** Opens the runs (local workers or load boxes), runs the plan and joins its request log; a number: the exit code of a run that could not start. */
async function measure(plan: Plan, url: string, interrupts: Interrupts, live: RunListener[]): Promise<Measured | number> {
  let runs: Runs;
  try {
    const notice = plan.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
    runs = await openRuns(plan, workersFor(plan.workers, plan.clients), {
      ...(notice ? { notice } : {}),
      // shown even with --quiet: what runs on this machine is never hidden
      announce: (line) => process.stderr.write(`${line}\n`),
      signal: interrupts.setUp.signal,
    });
  } catch (error) {
    if (error instanceof AgentError) {
      process.stderr.write(`stress: ${error.message}\n`);
      return interrupts.signals > 0 ? interrupts.exitCode : 1;
    }
    throw error;
  }
  if (runs.ready && !plan.quiet) process.stderr.write(`${runs.ready}\n`);
  const workers = runs.workers;
  const progress = plan.quiet ? null : new Progress(process.stderr, plan.mode !== 'clients', plan.intervalMs);
  const startedAt = new Date();
  const hlog = plan.report.hdrLog === null ? null : await openHlog(plan.report.hdrLog, plan.mode === 'ramp');
  // the one place the primary hands each merged interval and each judged step to its live outputs
  const listeners: RunListener[] = [
    ...(progress ? [{ interval: (interval: IntervalStats) => progress.interval(interval) }] : []),
    ...(hlog ? [{ interval: (interval: IntervalStats) => hlog.write(interval) }] : []),
    ...live,
  ];
  const listener: Required<RunListener> = {
    interval: (interval, parts, place) => {
      for (const each of listeners) each.interval(interval, parts, place);
    },
    step: (report) => {
      for (const each of listeners) each.step?.(report);
    },
    ended: () => {
      for (const each of listeners) each.ended?.();
    },
  };
  const runner = await makeRunner(plan, baseSpec(plan, url, workers), listener, runs);
  interrupts.runner = runner;
  // a signal during the set-up: the run starts stopped, and its (empty) summary says so
  if (interrupts.signals > 0) runner.stop(INTERRUPT_DRAIN_MS);
  const log = plan.report.log;
  // the workers' parts of --log, until they are joined: removed however the process ends (a
  // second signal, an error), synchronously in its last moment
  const removeLogParts = (): void => removeParts(log!, workers);
  if (log !== null) {
    removeLogParts();
    process.once('exit', removeLogParts);
  }
  try {
    const { result, report } = await runner.run();
    listener.ended();
    const logged = log === null ? null : await joinParts(log, workers);
    if (logged !== null && !plan.quiet) process.stderr.write(`stress: --log: ${count(logged)} requests in ${log}\n`);
    await runs.close();
    progress?.end();
    const warning = generatorWarning(result.total.errors.generator ?? 0, result.total.errorCodes, readLocalLimits());
    if (warning !== null) process.stderr.write(`${warning}\n`);
    await hlog?.close();
    return { run: { workers, startedAt }, result, report };
  } finally {
    if (log !== null) {
      removeLogParts();
      process.off('exit', removeLogParts);
    }
  }
}

/** Prints the summary, writes the report files, and says how the run ends: its exit code. */
async function reportRun(
  plan: Plan,
  run: { target: string; workers: number; startedAt: Date },
  result: RunResult,
  report: RampReport | null,
  /** the exit code of an interrupted run: that of the signal */
  interruptedCode = 130,
  dashboard: Dashboard | null = null,
): Promise<number> {
  const plannedS = plan.durationMs === null ? null : plan.durationMs / 1000;
  const ranS = Math.min(plannedS ?? result.elapsedS, result.elapsedS || (plannedS ?? 0));
  const offered =
    plan.mode === 'rate' ? plan.rate : plan.mode === 'ramp' && ranS > 0 ? Math.round(result.total.counts.scheduled / ranS) : null;
  const summary = summarize(
    {
      mode: plan.mode,
      target: run.target,
      workers: run.workers,
      offered,
      plannedS,
      endurance: plan.report.endurance,
      maxLagMs: plan.maxLagMs,
      insecure: plan.tls?.insecure ?? false,
      ...(plan.targets ? { endpointNames: plan.targets.endpoints.map((endpoint) => endpoint.name) } : {}),
    },
    result,
  );
  const thresholds = judgeThresholds(plan.report.failOn, summary);
  const document = reportDocument(plan, summary, report, thresholds, run.startedAt);
  process.stdout.write(plan.json ? `${JSON.stringify(document)}\n` : document.text);
  if (dashboard !== null) dashboard.finish((await import('./report/html/html.js')).renderHtml(asHtmlReport(document)));
  const written = await writeReports(plan.report, document);
  if (written !== null) return written;
  if (result.remote?.abortedOnAgentLoss) return 1;
  if (result.interrupted) return interruptedCode;
  return thresholds.every((threshold) => threshold.passed) ? 0 : 1;
}
