/**
 * `bin/stress`: the thin shell around the engine. Parses and validates, starts the bundled target
 * when no URL is given, runs, prints. Exit codes: 0 done, 2 bad input, 130 interrupted, 1 crash.
 */
import { availableParallelism } from 'node:os';
import { parseCommandLine, UsageError } from './cli.js';
import { buildPlan, PlanError, targetSpec, type Plan } from './plan.js';
import { Progress } from './report/progress.js';
import { describeLoad, textReport } from './report/text.js';
import { LocalRun } from './run.js';
import { summarize } from './summary.js';

/** How long in-flight requests get after Ctrl-C before they count as interrupted. */
const INTERRUPT_DRAIN_MS = 2000;

export const VERSION = '0.1.0';

function usageFailure(message: string): number {
  process.stderr.write(`stress: ${message} (see stress --help)\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let plan: Plan;
  try {
    const outcome = await parseCommandLine(argv, availableParallelism());
    if (outcome.kind === 'help') return process.stdout.write(outcome.text + '\n'), 0;
    if (outcome.kind === 'version') return process.stdout.write(`stress ${VERSION}\n`), 0;
    plan = buildPlan(outcome.options, availableParallelism());
  } catch (error) {
    if (error instanceof UsageError || error instanceof PlanError) return usageFailure(error.message);
    throw error;
  }

  let url = plan.url;
  let closeBundled: (() => Promise<void>) | null = null;
  if (url === null) {
    const { startTargetServer } = await import('../target-server/server.js');
    const bundled = await startTargetServer({ host: '127.0.0.1', port: 0 });
    if (!plan.quiet) process.stderr.write(`stress: bundled target server on ${bundled.url} (uWebSockets.js ${bundled.engine})\n`);
    url = `${bundled.url}/test-get/0`;
    closeBundled = () => bundled.close();
  }

  const workers = plan.mode === 'clients' ? Math.min(plan.workers, plan.clients!) : plan.workers;
  const progress = plan.quiet ? null : new Progress(process.stderr, plan.mode === 'rate', plan.intervalMs);
  const run = new LocalRun(
    {
      target: targetSpec(plan, url),
      load: plan.mode === 'rate'
        ? { kind: 'rate', segments: [{ durationMs: plan.durationMs!, fromRate: plan.rate!, toRate: plan.rate! }] }
        : { kind: 'clients', clients: plan.clients!, requests: plan.requests, durationMs: plan.durationMs },
      workers,
      // a closed-loop client holds one connection; an open loop shares its pool
      connections: plan.mode === 'clients' ? Math.ceil(plan.clients! / workers) : plan.connections,
      timeoutMs: plan.timeoutMs,
      maxInflight: plan.maxInflight,
      intervalMs: plan.intervalMs,
    },
    (interval) => progress?.interval(interval),
  );

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`\nstress: ${signal}: stopping, waiting up to ${INTERRUPT_DRAIN_MS / 1000} s for requests in flight (again to quit at once)\n`);
    run.stop(INTERRUPT_DRAIN_MS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await run.run();
  progress?.end();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const summary = summarize(plan, url, workers, result);
  if (plan.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(textReport(summary, describeLoad(summary, plan.durationMs === null ? null : plan.durationMs / 1000, plan.clients, plan.requests)));
  await closeBundled?.();
  return result.interrupted ? 130 : 0;
}
