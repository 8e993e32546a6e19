/**
 * The command line: yargs declares and documents every flag; `buildPlan` (plan.ts) validates.
 * Anything wrong ends in `UsageError`, which the entry point prints as one line with exit 2.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { DEFAULTS, type RawOptions } from './plan.js';
import { UsageError } from './usage-error.js';
import { readProfile } from './profile.js';
import { readRemoteOptions, REMOTE_FLAGS } from './remote-plan.js';
import { readReportOptions, REPORT_FLAGS } from './report-plan.js';

export { UsageError };

export type CliOutcome = { kind: 'run'; options: RawOptions } | { kind: 'help'; text: string } | { kind: 'version' };

const EPILOGUE = `Durations: 500ms, 2s, 5m, 1h (a bare number is seconds). Rates: 2000 or 2k (requests/s).
Without a URL, the bundled target server starts on a free loopback port and /test-get/0 is used.
Latency is measured from each request's due time (open loop), so a stalling server cannot hide
behind a slow generator; scheduler lag says how late the generator itself was.

Examples:
  stress --duration 10s                                  bundled target, default rate
  stress http://127.0.0.1:8000/hello --rate 20k --duration 30s
  stress http://127.0.0.1:8000/test-get/0 --clients 10 --requests 2000
  stress http://10.0.0.5:8000/hello --ramp 100:20000 --step 30s --agents load@box1,load@box2`;

function buildParser(argv: string[], cpuCount: number) {
  return yargs(argv)
    .scriptName('stress')
    .usage('Usage: $0 [url] [options]\n\nOpen-loop (--rate) or closed-loop (--clients) HTTP load against url.')
    .command('$0 [url]', false as unknown as string)
    .positional('url', { type: 'string', describe: 'target URL (http or https); none: the bundled target server' })
    .options({
      rate: { type: 'string', group: 'Load:', describe: `offered requests/s, on a fixed schedule (open loop) [default: ${DEFAULTS.rate}]` },
      duration: { type: 'string', alias: 'd', group: 'Load:', describe: `how long to offer load [default: ${DEFAULTS.durationMs / 1000}s]` },
      clients: { type: 'string', alias: 'c', group: 'Load:', describe: 'closed loop: N clients, each sends when its previous request ends' },
      requests: { type: 'string', alias: 'n', group: 'Load:', describe: 'closed loop: stop after this many requests in all (instead of --duration)' },
      ramp: { type: 'string', group: 'Stress (find the breaking point):', describe: 'raise the offered rate step by step from FROM to TO req/s, e.g. 100:20000' },
      step: { type: 'string', group: 'Stress (find the breaking point):', describe: `length of each step [default: ${DEFAULTS.stepMs / 1000}s]` },
      steps: { type: 'string', group: 'Stress (find the breaking point):', describe: `number of equal steps from FROM to TO [default: ${DEFAULTS.rampSteps}]` },
      increment: { type: 'string', group: 'Stress (find the breaking point):', describe: 'fixed rate increment between steps, req/s (instead of --steps)' },
      'max-errors': { type: 'string', group: 'Stress (find the breaking point):', describe: 'a step breaks above this error rate (failures + drops), e.g. 1% or 0.01 [default: 1%]' },
      'slo-p99': { type: 'string', group: 'Stress (find the breaking point):', describe: 'a step breaks when p99 latency (from due time) exceeds this duration [default: none]' },
      'stop-on-break': { type: 'boolean', group: 'Stress (find the breaking point):', describe: 'end the ramp after the first step that breaks; --no-stop-on-break runs every step [default: true]' },
      refine: { type: 'boolean', group: 'Stress (find the breaking point):', describe: 'after the break, bisect with shorter steps until the breaking point is known within 2%' },
      profile: { type: 'string', alias: 'p', group: 'Load:', describe: 'read options from a JSON profile (keys are these flags\' long names); flags given here win' },
      method: { type: 'string', alias: 'X', group: 'Request:', describe: 'HTTP method [default: GET]' },
      header: { type: 'string', array: true, alias: 'H', group: 'Request:', describe: 'request header "Name: value" (repeatable)' },
      body: { type: 'string', group: 'Request:', describe: 'request body, as text' },
      'body-file': { type: 'string', group: 'Request:', describe: 'request body, read from this file' },
      timeout: { type: 'string', group: 'Request:', describe: `total deadline per request; then it counts as "timeout" [default: ${DEFAULTS.timeoutMs / 1000}s]` },
      workers: { type: 'string', alias: 'w', group: 'Generator:', describe: `worker threads, each with its own scheduler and pool [default: ${cpuCount}, one per CPU core]` },
      connections: { type: 'string', group: 'Generator:', describe: `keep-alive connections per worker [default: ${DEFAULTS.connectionsPerWorker}; closed loop: one per client]` },
      'max-inflight': { type: 'string', group: 'Generator:', describe: `requests in flight per worker; requests due beyond it are counted as dropped [default: ${DEFAULTS.maxInflightPerWorker}]` },
      'max-lag': { type: 'string', group: 'Generator:', describe: `open loop: a scheduler lag p99 above this means the generator fell behind; the summary says so, and a ramp step is judged generator-limited instead of blamed on the server. Raise it on a busy shared box [default: ${DEFAULTS.maxLagMs}ms]` },
      'max-body': { type: 'string', group: 'Request:', describe: 'cut off response bodies longer than this (e.g. 64KiB, 10MB) and count them as "too-large" [default: no limit]' },
      warmup: { type: 'string', group: 'Generator:', describe: `open loop: offer the first rate this long before measuring, unrecorded, so connections, JIT and server are warm; 0 for none [default: ${DEFAULTS.warmupMs / 1000}s]` },
      interval: { type: 'string', group: 'Output:', describe: `length of a reporting interval [default: ${DEFAULTS.intervalMs / 1000}s]` },
      json: { type: 'boolean', group: 'Output:', describe: 'print the summary as one JSON object on stdout' },
      quiet: { type: 'boolean', alias: 'q', group: 'Output:', describe: 'no live progress on stderr' },
      ...REMOTE_FLAGS,
      ...REPORT_FLAGS,
    })
    .epilogue(EPILOGUE)
    .strict()
    .help(false)
    .version(false)
    .option('help', { type: 'boolean', alias: 'h', describe: 'show this help' })
    .option('version', { type: 'boolean', alias: 'V', describe: 'show the version' })
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw new UsageError(error?.message ?? message);
    });
}

const ONE_VALUE = ['rate', 'duration', 'clients', 'requests', 'method', 'body', 'body-file', 'timeout', 'workers', 'connections', 'max-inflight', 'max-lag', 'max-body', 'interval', 'warmup',
  'ramp', 'step', 'steps', 'increment', 'max-errors', 'slo-p99', 'profile'] as const;

export async function parseCommandLine(argv: string[], cpuCount: number): Promise<CliOutcome> {
  const parser = buildParser(argv, cpuCount);
  const args = (await parser.parseAsync()) as Record<string, unknown>;
  if (args.help) return { kind: 'help', text: await parser.getHelp() };
  if (args.version) return { kind: 'version' };
  for (const name of ONE_VALUE) {
    if (Array.isArray(args[name])) throw new UsageError(`--${name} was given more than once`);
    const missing = typeof args[name] !== 'string' || (args[name] === '' && name !== 'body');
    if (name in args && missing) throw new UsageError(`--${name} needs a value`);
  }
  const extra = (args._ as unknown[]) ?? [];
  if (extra.length > 0) throw new UsageError(`unexpected argument "${String(extra[0])}" (only one URL is taken)`);
  if (typeof args.profile === 'string') {
    const profile = readProfile(args.profile);
    // a profile's knobs describe the bundled target; pointed at a real server, they do not apply
    if (typeof args.url === 'string') delete profile.bundled;
    Object.assign(args, { ...profile, ...withoutUndefined(args) });
  }
  const value = (name: string) => (args[name] === undefined ? undefined : String(args[name]));
  const bodyFilePath = value('body-file');
  let bodyFile: RawOptions['bodyFile'];
  if (bodyFilePath !== undefined) {
    let content: Buffer | null = null;
    try {
      content = readFileSync(bodyFilePath);
    } catch {
      content = null;
    }
    bodyFile = { path: bodyFilePath, content };
  }
  const options: RawOptions = {
    url: value('url'),
    rate: value('rate'),
    duration: value('duration'),
    clients: value('clients'),
    requests: value('requests'),
    workers: value('workers'),
    connections: value('connections'),
    timeout: value('timeout'),
    maxInflight: value('max-inflight'),
    maxLag: value('max-lag'),
    maxBody: value('max-body'),
    interval: value('interval'),
    warmup: value('warmup'),
    method: value('method'),
    header: args.header as string[] | undefined,
    body: value('body'),
    bodyFile,
    json: args.json as boolean | undefined,
    quiet: args.quiet as boolean | undefined,
    ramp: value('ramp'),
    step: value('step'),
    steps: value('steps'),
    increment: value('increment'),
    maxErrors: value('max-errors'),
    sloP99: value('slo-p99'),
    stopOnBreak: args['stop-on-break'] as boolean | undefined,
    refine: args.refine as boolean | undefined,
    ...readRemoteOptions(args),
    ...readReportOptions(args),
  };
  // yargs leaves undefined keys for flags that were not given; drop them so "given" means given.
  for (const key of Object.keys(options) as Array<keyof RawOptions>) if (options[key] === undefined) delete options[key];
  return { kind: 'run', options };
}

function withoutUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}
