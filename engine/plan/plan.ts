/**
 * The validated plan of a run, and the one place where raw options become it. `buildPlan` is
 * pure: it returns the plan or every problem at once, each naming its flag, so the user fixes all
 * of them in one go.
 */
import { rampRates } from '../verdict/breaking-point.js';
import { DEFAULTS } from './defaults.js';
import type { ClientKind, EndpointSpec, Http2Spec, TargetSpec, TlsSpec } from '../http/target.js';
import { credentialsOf, parseHeaders, printable, withoutCredentials } from './request-headers.js';
import type { FlagValues } from './flags.js';
import { parseBytes, parseDurationMs, parseFraction, parseRate, parseWholeNumber, UnitError } from '../../common/units.js';
import { remotePlan, type RemotePlan } from './remote-plan.js';
import { ENDURANCE_INTERVAL_MS } from '../verdict/endurance.js';
import { defaultWorkers, type RampPlan } from '../run/contract.js';
import { reportPlan, type ReportPlan } from './report-plan.js';
import { tlsPlan } from './tls-plan.js';
import { connectionPlan } from './connection-plan.js';
import { targetsPlan } from './targets-plan.js';
import { metricsPlan, type MetricsPlan } from './live-plan.js';

export interface Plan {
  /** the target URL (a mix's: its first endpoint's), or null to start the bundled target server and use its /test-get/0 */
  url: string | null;
  /** a request mix (--targets): the file and its endpoints (--header's added to each); null: one request */
  targets: { path: string; endpoints: EndpointSpec[] } | null;
  method: string;
  headers: Record<string, string>;
  bodyBase64: string | null;
  /** certificate checks, client certificate and SNI of an https target; null: Node's defaults */
  tls: TlsSpec | null;
  mode: 'rate' | 'clients' | 'ramp';
  /** the stress ramp (ramp mode) */
  ramp: RampPlan | null;
  /** offered requests/s (rate mode) */
  rate: number | null;
  /** closed-loop clients (clients mode) */
  clients: number | null;
  /** total request budget (clients mode) */
  requests: number | null;
  durationMs: number | null;
  workers: number;
  /** keep-alive connections per worker */
  connections: number;
  timeoutMs: number;
  /** in-flight cap per worker */
  maxInflight: number;
  /** scheduler lag p99 above this, ms, means the generator fell behind (open loop) */
  maxLagMs: number;
  /** response bodies longer than this are cut off and counted as `too-large`; null: no limit */
  maxBodyBytes: number | null;
  /** the HTTP client of the workers */
  client: ClientKind;
  /** HTTP/2 through ALPN and its streams per connection; null: HTTP/1.1 */
  http2: Http2Spec | null;
  /** the server's Unix socket, connected to instead of the URL's host and port; null: TCP */
  unixSocket: string | null;
  intervalMs: number;
  /** open loop: unrecorded load at the first rate before the measured start, ms (0: none) */
  warmupMs: number;
  json: boolean;
  quiet: boolean;
  /** load boxes over ssh; null: everything runs on this machine */
  remote: RemotePlan | null;
  /** analysis, thresholds, report files, bundled target knobs */
  report: ReportPlan;
  /** the Prometheus endpoint (--metrics); null: none */
  metrics: MetricsPlan | null;
}

export type { RampPlan };

/** Options as they come from the command line (strings where units are involved). */
export type RawOptions = FlagValues; // one key per flag of the table in flags.ts

export class PlanError extends Error {
  readonly code = 'STRESS_ERR_BAD_PLAN';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export { DEFAULTS };

const MAX_DURATION_MS = 7 * 24 * 3_600_000;
const HTTP_METHOD = /^[A-Z]+$/;

/** Runs one parser; a UnitError becomes a problem and the value null. */
function take<T>(problems: string[], parse: () => T): T | null {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UnitError) {
      problems.push(error.message);
      return null;
    }
    throw error;
  }
}

const given = (value: unknown): boolean => value !== undefined;

export function buildPlan(raw: RawOptions, cpuCount: number): Plan {
  const problems: string[] = [];
  const targets = mixPlan(raw, problems);
  const url = targets === null ? targetUrl(raw, problems) : targets.endpoints[0]!.url;
  // the flags that need a URL are content with a mix's (given: the file's path, while its endpoints are not known)
  const withUrl = raw.targets === undefined ? raw : { ...raw, url: raw.url ?? url ?? raw.targets.path };
  checkCombinations(raw, problems);
  const ramp = given(raw.ramp) ? take(problems, () => rampPlan(raw)) : null;
  const mode = given(raw.ramp) ? 'ramp' : given(raw.clients) ? 'clients' : 'rate';
  const rate = mode === 'rate' ? take(problems, () => positive(parseRate(raw.rate ?? DEFAULTS.rate, '--rate'), '--rate', raw.rate)) : null;
  const clients = mode === 'clients' ? take(problems, () => parseWholeNumber(raw.clients!, '--clients', 1, 1_000_000)) : null;
  const requests = given(raw.requests) ? take(problems, () => parseWholeNumber(raw.requests!, '--requests', 1)) : null;
  let durationMs: number | null = null;
  if (given(raw.duration)) durationMs = take(problems, () => boundedDuration(raw.duration!, '--duration', 1, MAX_DURATION_MS));
  else if (ramp) durationMs = ramp.stepMs * ramp.rates.length;
  else if (!given(raw.requests)) durationMs = DEFAULTS.durationMs;

  const peakRate = ramp ? Math.max(...ramp.rates) : rate;
  const workers = given(raw.workers)
    ? take(problems, () => parseWholeNumber(raw.workers!, '--workers', 1, 256))
    : defaultWorkers(cpuCount, mode === 'clients' ? null : (peakRate ?? DEFAULTS.rate));
  const connections = given(raw.connections)
    ? take(problems, () => parseWholeNumber(raw.connections!, '--connections', 1, 100_000))
    : DEFAULTS.connectionsPerWorker;
  const timeoutMs = given(raw.timeout)
    ? take(problems, () => boundedDuration(raw.timeout!, '--timeout', 1, 3_600_000))
    : DEFAULTS.timeoutMs;
  const maxInflight = given(raw.maxInflight)
    ? take(problems, () => parseWholeNumber(raw.maxInflight!, '--max-inflight', 1, 1_000_000))
    : DEFAULTS.maxInflightPerWorker;
  if (given(raw.maxLag) && mode === 'clients')
    problems.push('--max-lag needs an open loop (--rate or --ramp); a closed loop has no schedule to fall behind');
  const maxLagMs = given(raw.maxLag) ? take(problems, () => boundedDuration(raw.maxLag!, '--max-lag', 0.1, 3_600_000)) : DEFAULTS.maxLagMs;
  const maxBodyBytes = given(raw.maxBody) ? take(problems, () => parseBytes(raw.maxBody!, '--max-body')) : null;
  const report = reportPlan(withUrl, problems);
  endpointThresholdProblems(report, targets, problems);
  if (report.log !== null && (raw.agents !== undefined || raw.agentsFile !== undefined))
    problems.push('--log keeps one row per request on this machine; with --agents the requests are made on the boxes (use --hdr-log)');
  if (report.endurance && mode === 'ramp')
    problems.push('--endurance needs a steady load (--rate or --clients); a ramp changes its rate on purpose');
  const intervalMs = given(raw.interval)
    ? take(problems, () => boundedDuration(raw.interval!, '--interval', 50, 3_600_000))
    : report.endurance
      ? ENDURANCE_INTERVAL_MS
      : DEFAULTS.intervalMs;

  if (given(raw.warmup) && mode === 'clients')
    problems.push('--warmup needs an open loop (--rate or --ramp); a closed loop counts every request');
  const warmupMs =
    mode === 'clients'
      ? 0
      : given(raw.warmup)
        ? take(problems, () => boundedDuration(raw.warmup!, '--warmup', 0, 3_600_000))
        : DEFAULTS.warmupMs;
  const request = requestParts(raw, problems);
  const tls = tlsPlan(withUrl, targets === null ? url : tlsUrlOf(targets.endpoints), problems);
  const connection = connectionPlan(withUrl, url, problems);
  const remote = remotePlan(withUrl, problems, { url, clients, workers: given(raw.workers) ? workers : null });
  if (targets !== null) for (const endpoint of targets.endpoints) endpoint.headers = { ...request.headers, ...endpoint.headers };
  const metrics = metricsPlan(raw, problems);

  if (problems.length > 0) throw new PlanError(problems);
  return {
    url,
    targets,
    ...request,
    tls,
    mode,
    ramp,
    rate,
    clients,
    requests,
    durationMs,
    workers: workers!,
    connections: connections!,
    timeoutMs: timeoutMs!,
    maxInflight: maxInflight!,
    maxLagMs: maxLagMs!,
    intervalMs: intervalMs!,
    warmupMs: warmupMs!,
    maxBodyBytes,
    ...connection,
    json: raw.json ?? false,
    quiet: raw.quiet ?? false,
    remote,
    report,
    metrics,
  };
}

/** The target URL, normalised; null when none is given (the bundled target). */
function targetUrl(raw: RawOptions, problems: string[]): string | null {
  if (!given(raw.url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw.url!);
  } catch {
    problems.push(`url: "${printable(raw.url!)}" is not a URL (use e.g. http://127.0.0.1:8000/hello)`);
    return null;
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return credentialsOf(parsed).shownUrl;
  problems.push(`url: "${printable(credentialsOf(parsed).shownUrl)}" must be http:// or https://`);
  return null;
}

/** The request mix of --targets, or null (none, or a problem pushed). */
function mixPlan(raw: RawOptions, problems: string[]): Plan['targets'] {
  if (raw.targets === undefined) return null;
  if (given(raw.url)) problems.push('--targets and a URL contradict: the targets file gives every endpoint its URL (drop the URL)');
  for (const [flag, value] of [
    ['--method', raw.method],
    ['--body', raw.body],
    ['--body-file', raw.bodyFile],
  ] as const)
    if (given(value)) problems.push(`${flag} and --targets contradict: each endpoint of the targets file gives its own`);
  const endpoints = targetsPlan(raw.targets, problems);
  return endpoints === null ? null : { path: raw.targets.path, endpoints };
}

/** The URL the TLS flags are checked against: a mix's first https endpoint, if it has one. */
function tlsUrlOf(endpoints: readonly EndpointSpec[]): string {
  return (endpoints.find((endpoint) => endpoint.url.startsWith('https:')) ?? endpoints[0]!).url;
}

/** A threshold that names an endpoint must name one of the mix's. */
function endpointThresholdProblems(report: ReportPlan, targets: Plan['targets'], problems: string[]): void {
  for (const threshold of report.failOn) {
    if (threshold.endpoint === null) continue;
    if (targets === null) problems.push(`--fail-on: "${threshold.expression}" names an endpoint, which needs --targets`);
    else if (!targets.endpoints.some((endpoint) => endpoint.name === threshold.endpoint))
      problems.push(
        `--fail-on: "${threshold.expression}": no endpoint is named "${threshold.endpoint}" (the targets file has ${targets.endpoints.map((endpoint) => endpoint.name).join(', ')})`,
      );
  }
}

/** Flags that contradict each other, or need another that is missing. */
function checkCombinations(raw: RawOptions, problems: string[]): void {
  if (given(raw.rate) && given(raw.clients))
    problems.push('--rate and --clients contradict: open loop (--rate) or closed loop (--clients), not both');
  if (given(raw.requests) && given(raw.duration))
    problems.push('--requests and --duration contradict: end the run by a request count or by time, not both');
  if (given(raw.requests) && !given(raw.clients)) problems.push('--requests needs --clients (a rate-mode run is bounded by --duration)');
  if (given(raw.body) && given(raw.bodyFile)) problems.push('--body and --body-file contradict: give one');
  if (given(raw.ramp)) {
    for (const [flag, value] of [
      ['--rate', raw.rate],
      ['--clients', raw.clients],
      ['--duration', raw.duration],
    ] as const) {
      if (given(value)) problems.push(`--ramp and ${flag} contradict: a ramp's length is its steps (--step) times their number`);
    }
  } else {
    for (const [flag, value] of [
      ['--step', raw.step],
      ['--steps', raw.steps],
      ['--increment', raw.increment],
      ['--max-errors', raw.maxErrors],
      ['--slo-p99', raw.sloP99],
      ['--stop-on-break', raw.stopOnBreak],
      ['--refine', raw.refine],
    ] as const) {
      if (given(value)) problems.push(`${flag} needs --ramp FROM:TO`);
    }
  }
  if (given(raw.steps) && given(raw.increment))
    problems.push('--steps and --increment contradict: give the number of steps or their increment');
}

/** The request every worker sends: method, headers, body. */
function requestParts(raw: RawOptions, problems: string[]): Pick<Plan, 'method' | 'headers' | 'bodyBase64'> {
  const method = (raw.method ?? 'GET').toUpperCase();
  if (!HTTP_METHOD.test(method)) problems.push(`--method: "${raw.method}" is not an HTTP method (use e.g. GET, POST, PUT)`);
  const headers = parseHeaders(raw.header ?? [], problems);
  const credentials = given(raw.url) && URL.canParse(raw.url!) ? credentialsOf(new URL(raw.url!)).authorization : null;
  if (credentials !== null) {
    if ('authorization' in headers) problems.push('url: credentials in the URL and an Authorization header contradict: give one');
    else headers.authorization = credentials;
  }
  let bodyBase64: string | null = null;
  if (given(raw.body)) bodyBase64 = Buffer.from(raw.body!, 'utf8').toString('base64');
  if (raw.bodyFile) {
    if (raw.bodyFile.content === null) problems.push(`--body-file: cannot read "${raw.bodyFile.path}"`);
    else bodyBase64 = raw.bodyFile.content.toString('base64');
  }
  return { method, headers, bodyBase64 };
}

/** The ramp's flags; throws UnitError on the first bad one (each names its flag). */
function rampPlan(raw: RawOptions): RampPlan {
  const match = /^\s*([^:]+):([^:]+)\s*$/.exec(raw.ramp!);
  if (!match) throw new UnitError(`--ramp: "${raw.ramp}" must be FROM:TO in requests/s, e.g. 100:20000`);
  const from = positive(parseRate(match[1]!, '--ramp FROM'), '--ramp FROM', match[1]);
  const to = positive(parseRate(match[2]!, '--ramp TO'), '--ramp TO', match[2]);
  if (!(from < to)) throw new UnitError(`--ramp: "${raw.ramp}" must rise (FROM < TO)`);
  const stepMs = raw.step === undefined ? DEFAULTS.stepMs : boundedDuration(raw.step, '--step', 200, 24 * 3_600_000);
  const steps = raw.steps === undefined ? undefined : parseWholeNumber(raw.steps, '--steps', 2, 1000);
  const increment =
    raw.increment === undefined ? undefined : positive(parseRate(raw.increment, '--increment'), '--increment', raw.increment);
  const rates = rampRates(from, to, increment === undefined ? { steps: steps ?? DEFAULTS.rampSteps } : { increment });
  if (rates.length > 1000) throw new UnitError(`--increment: "${raw.increment}" makes ${rates.length} steps; at most 1000`);
  const maxErrorRate = raw.maxErrors === undefined ? DEFAULTS.maxErrorRate : parseFraction(raw.maxErrors, '--max-errors');
  const sloP99Ms = raw.sloP99 === undefined ? null : boundedDuration(raw.sloP99, '--slo-p99', 0.001, 3_600_000);
  return { rates, stepMs, maxErrorRate, sloP99Ms, stopOnBreak: raw.stopOnBreak ?? true, refine: raw.refine ?? false };
}

function positive(value: number, what: string, text: unknown): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new UnitError(`${what}: "${text}" must be more than 0`);
  return value;
}

function boundedDuration(text: string, what: string, minMs: number, maxMs: number): number {
  const ms = parseDurationMs(text, what);
  if (ms < minMs || ms > maxMs) throw new UnitError(`${what}: "${text}" must be between ${minMs} ms and ${maxMs / 3_600_000} h`);
  return ms;
}

/** The request the workers send, once the target URL is known. */
export function targetSpec(plan: Plan, url: string): TargetSpec {
  const headers = { ...plan.headers };
  const first = plan.targets?.endpoints[0];
  const spec: TargetSpec = first
    ? { url: first.url, method: first.method, headers: first.headers, bodyBase64: first.bodyBase64, endpoints: plan.targets!.endpoints }
    : { url: withoutCredentials(url), method: plan.method, headers, bodyBase64: plan.bodyBase64 };
  return {
    ...spec,
    ...(plan.tls === null ? {} : { tls: plan.tls }),
    ...(plan.unixSocket === null ? {} : { unixSocket: plan.unixSocket }),
    ...(plan.http2 === null ? {} : { http2: plan.http2 }),
  };
}
