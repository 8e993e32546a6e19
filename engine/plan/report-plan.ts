/**
 * The flags that shape what a run reports and judges rather than the load it sends: endurance
 * analysis, `--fail-on` thresholds, report files, the live page, and the bundled target's fault knobs. Declared
 * in flags.ts; validated here into the plan's `report` part, every problem at once.
 */
import { parseThreshold, type Threshold } from '../verdict/thresholds.js';
import { UnitError } from '../../common/units.js';
import { parseTargetArgs } from '../../target-server/cli-args.js';
import type { TargetServerOptions } from '../../target-server/options.js';
import { BUNDLED_KNOBS } from './defaults.js';
import type { FlagValues } from './flags.js';
import { LOOPBACK_ANY_PORT, parseListenAddress, type ListenAddress } from '../../common/listen-address.js';

/** The report flags' raw values. */
export type RawReportOptions = Pick<FlagValues, 'endurance' | 'failOn' | 'bundled' | 'out' | 'html' | 'hdrLog' | 'log' | 'dashboard'>;

export interface ReportPlan {
  /** endurance analysis forced on (it is on anyway for runs of at least `ENDURANCE_MIN_INTERVALS`) */
  endurance: boolean;
  failOn: Threshold[];
  /** fault knobs of the bundled target server (no URL given); null: none */
  bundled: TargetServerOptions | null;
  /** the JSON summary, written to this file */
  out: string | null;
  /** the HTML report, written to this file */
  html: string | null;
  /** the HdrHistogram interval log (.hlog) of latency, written as the run goes */
  hdrLog: string | null;
  /** the per-request CSV */
  log: string | null;
  /** where the live page (--dashboard) listens; null: no live page */
  dashboard: ListenAddress | null;
}

/** The bundled target's fault knobs, settable with --bundled. */

/** Knobs `KNOB=VALUE` as the target server's own flags, validated by its own parser. */
function bundledOptions(knobs: readonly string[], problems: string[]): TargetServerOptions | null {
  const argv: string[] = [];
  for (const knob of knobs) {
    const match = /^([a-z-]+)=(.+)$/.exec(knob.trim());
    if (!match || !BUNDLED_KNOBS.includes(match[1]!)) {
      problems.push(`--bundled: "${knob}" must be KNOB=VALUE with KNOB one of ${BUNDLED_KNOBS.join(', ')}`);
      continue;
    }
    argv.push(`--${match[1]}`, match[2]!);
  }
  const parsed = parseTargetArgs(argv);
  if (parsed.kind === 'error') {
    problems.push(`--bundled: ${parsed.message.replace(/ \(see target-server --help\)$/, '')}`);
    return null;
  }
  if (parsed.kind !== 'run') return null;
  const { port: _port, host: _host, ...knobValues } = parsed.options;
  return knobValues;
}

export function reportPlan(raw: RawReportOptions & { url?: string }, problems: string[]): ReportPlan {
  const failOn: Threshold[] = [];
  for (const text of raw.failOn ?? []) {
    try {
      failOn.push(parseThreshold(text));
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push(error.message);
    }
  }
  let bundled: TargetServerOptions | null = null;
  if (raw.bundled && raw.bundled.length > 0) {
    if (raw.url !== undefined)
      problems.push("--bundled sets the bundled target's knobs, but a URL was given: start your own server with them, or drop the URL");
    else bundled = bundledOptions(raw.bundled, problems);
  }
  let dashboard: ListenAddress | null = null;
  if (raw.dashboard !== undefined) {
    const address = raw.dashboard === '' ? LOOPBACK_ANY_PORT : parseListenAddress(raw.dashboard, '--dashboard');
    if (typeof address === 'string') problems.push(address);
    else dashboard = address;
  }
  return {
    endurance: raw.endurance ?? false,
    failOn,
    bundled,
    out: raw.out ?? null,
    html: raw.html ?? null,
    hdrLog: raw.hdrLog ?? null,
    log: raw.log ?? null,
    dashboard,
  };
}
