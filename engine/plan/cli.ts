/**
 * The command line: yargs declares and documents every flag of the table in flags.ts; `buildPlan`
 * (plan.ts) validates. Anything wrong ends in `UsageError`, which the entry point prints as one
 * line with exit 2.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Options } from 'yargs';
import type { RawOptions } from './plan.js';
import { UsageError } from './usage-error.js';
import { readProfile } from './profile.js';
import { readRemoteOptions } from './remote-plan.js';
import { readReportOptions } from './report-plan.js';
import { FLAGS, helpText, URL_ARG, type HelpContext } from './flags.js';

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

/** The yargs options of every flag but the positional url, in table order. */
function yargsOptions(context: HelpContext): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const flag of FLAGS) {
    if (flag.positional) continue;
    options[flag.name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.greedy ? { array: true } : {}),
      ...(flag.alias ? { alias: flag.alias } : {}),
      group: flag.group,
      describe: helpText(flag, context),
    };
  }
  return options;
}

function buildParser(argv: string[], cpuCount: number) {
  return yargs(argv)
    .scriptName('stress')
    .usage('Usage: $0 [url] [options]\n\nOpen-loop (--rate) or closed-loop (--clients) HTTP load against url.')
    .command(`$0 [${URL_ARG.name}]`, false as unknown as string)
    .positional(URL_ARG.name, { type: 'string', describe: helpText(URL_ARG, { cpuCount }) })
    .options(yargsOptions({ cpuCount }))
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
