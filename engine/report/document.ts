/**
 * The whole report of a run as one JSON document: the summary, the ramp's steps, the run's
 * parameters, the verdicts, the thresholds and the text as printed. `--json` and `--out` write
 * it; `--html` and `stress report FILE.json --html` draw from it, so a saved file rebuilds the
 * same page later.
 */
import { availableParallelism } from 'node:os';
import type { Plan } from '../plan/plan.js';
import type { RampReport } from '../verdict/step-report.js';
import type { Summary } from '../summary/summary.js';
import type { ThresholdResult } from '../verdict/thresholds.js';
import { count } from '../../common/format.js';
import { VERSION } from '../../common/version.js';
import { driftLine, enduranceText, outageLines, thresholdLines } from './text/endurance-text.js';
import type { HtmlReport, RunParameters } from './html/html-report.js';
import { rampText, verdictLine } from './text/ramp-text.js';
import { describeLoad, generatorVerdict, textReport } from './text/text.js';

export interface ReportDocument extends Summary {
  run: RunParameters;
  verdicts: string[];
  thresholds: ThresholdResult[];
  text: string;
  steps?: RampReport['steps'];
  cutShort?: RampReport['cutShort'];
  refineSteps?: RampReport['refineSteps'];
  breakingPoint?: RampReport['breakingPoint'];
  rampOutcome?: RampReport['outcome'];
}

export function runParameters(plan: Plan, summary: Summary, startedAt: Date): RunParameters {
  return {
    version: VERSION,
    target: summary.target,
    mode: plan.mode,
    workers: summary.workers,
    agents: plan.remote?.agents.map((agent) => agent.name) ?? [],
    rate: plan.rate,
    clients: plan.clients,
    ramp: plan.ramp && {
      from: plan.ramp.rates[0]!,
      to: plan.ramp.rates.at(-1)!,
      steps: plan.ramp.rates.length,
      stepS: plan.ramp.stepMs / 1000,
    },
    durationS: plan.durationMs === null ? null : plan.durationMs / 1000,
    intervalS: plan.intervalMs / 1000,
    warmupS: plan.warmupMs / 1000,
    connections: plan.connections,
    protocol: plan.http2 === null ? 'HTTP/1.1' : 'HTTP/2',
    maxStreams: plan.http2?.maxStreams ?? null,
    unixSocket: plan.unixSocket,
    timeoutS: plan.timeoutMs / 1000,
    startedAt: startedAt.toISOString(),
    node: `${process.version} on ${availableParallelism()} cores`,
  };
}

function heading(plan: Plan, summary: Summary): string {
  if (plan.mode !== 'ramp')
    return describeLoad(summary, plan.durationMs === null ? null : plan.durationMs / 1000, plan.clients, plan.requests);
  const [from, to] = [plan.ramp!.rates[0]!, plan.ramp!.rates.at(-1)!].map((rate) => count(rate));
  return `Stress Test: open loop, ramp ${from} -> ${to} req/s in ${plan.ramp!.rates.length} steps of ${plan.ramp!.stepMs / 1000} s, ${summary.workers} workers -> ${summary.target}`;
}

export function reportDocument(
  plan: Plan,
  summary: Summary,
  ramp: RampReport | null,
  thresholds: ThresholdResult[],
  startedAt: Date,
): ReportDocument {
  const lastRate = plan.ramp?.rates.at(-1) ?? null;
  const lines = [textReport(summary, heading(plan, summary)).trimEnd(), ...enduranceText(summary), ...thresholdLines(thresholds)];
  const text = `${lines.join('\n')}\n${ramp ? rampText(ramp, lastRate) : ''}`;
  const verdicts = [
    generatorVerdict(summary),
    ...(ramp ? [verdictLine(ramp, lastRate)] : []),
    ...(summary.outages === null ? [] : [driftLine(summary.drift), ...outageLines(summary.outages)]),
    ...thresholdLines(thresholds),
  ];
  const rampFields = ramp
    ? {
        steps: ramp.steps,
        cutShort: ramp.cutShort,
        refineSteps: ramp.refineSteps,
        breakingPoint: ramp.breakingPoint,
        rampOutcome: ramp.outcome,
      }
    : {};
  return { ...summary, ...rampFields, run: runParameters(plan, summary, startedAt), verdicts, thresholds, text };
}

/** A saved document as the HTML report's input. */
export function asHtmlReport(document: ReportDocument): HtmlReport {
  return document as unknown as HtmlReport;
}
