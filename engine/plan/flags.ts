/**
 * Every flag of `stress`, declared once. The yargs options and --help, the checks on single
 * values, the raw options `buildPlan` reads and the fields a profile may hold are all derived
 * from this table, so a new flag is one line here plus the code that uses its value.
 */
import { count } from '../../common/format.js';
import { RATE_PER_WORKER } from '../run/contract.js';
import { ENDURANCE_INTERVAL_MS, ENDURANCE_MIN_INTERVALS } from '../verdict/endurance.js';
import { BUNDLED_KNOBS, DEFAULTS } from './defaults.js';
import type { TargetsFile } from './targets-plan.js';

/** A JSON type a profile field may hold. */
export type ProfileType = 'string' | 'number' | 'boolean' | 'string[]';

/** A value that names a file the shell reads or the run writes. */
export type FileKind =
  /** a file the shell reads as bytes: the raw option is `{ path, content: Buffer | null }` (null: unreadable) */
  | 'bytes-file'
  /** a file the shell reads as text: the raw option is `{ path, content: string | null }` (null: unreadable) */
  | 'text-file'
  /** a targets file (--targets), read as text with the body files its entries name: the raw option is a `TargetsFile` */
  | 'targets-file'
  /** a file the run writes: an empty value "needs a file name" */
  | 'output-file'
  /** a Unix socket the run connects to: the raw option is `{ path, found }`, what the shell found there */
  | 'unix-socket';

/** What the shell found at a --unix-socket path (cli.ts looks once; the plan judges). */
export type SocketFound = 'socket' | 'missing' | 'not-a-socket';

/** What a string value is, where that shapes its help text or how the shell reads it. */
export type ValueKind =
  /** a duration; a numeric default is in ms, shown as 10s or 5ms */
  | 'duration'
  /** a fraction; a numeric default is 0..1, shown as a percentage */
  | 'fraction'
  | FileKind;

/**
 * What a flag does beyond sending requests to the target, which a profile may not ask for on its
 * own (profile.ts): a profile is shared like a script, and opening one must run nothing and touch
 * no file. `process`: starts a process or reaches another machine (ssh and what it runs);
 * `file`: reads a local file (and may send it to the target) or writes one (overwriting it).
 */
export type Sensitivity = 'process' | 'file';

/** What --help needs to know about the machine it runs on. */
export interface HelpContext {
  cpuCount: number;
}

/** One flag (or the positional url): everything the command line, the plan and profiles know of it. */
export type FlagSpec = FlagCommon &
  (
    | { readonly kind?: Exclude<ValueKind, FileKind> }
    /** a flag that names a file is sensitive: the type does not let one be declared otherwise */
    | { readonly kind: FileKind; readonly sensitive: Sensitivity }
  );

interface FlagCommon {
  /** long name, kebab-case; the raw option is its camelCase form (`max-lag` -> `maxLag`) */
  readonly name: string;
  readonly alias?: string;
  /** `strings`: repeatable, each use adds one value (a list in a profile) */
  readonly type: 'string' | 'boolean' | 'strings';
  /** given without a flag name (the url) */
  readonly positional?: true;
  /** `strings` taking every value up to the next flag (`-H 'A: b' 'C: d'`), shown as [array] */
  readonly greedy?: true;
  /** an empty value is a value (`--body ''`), not a missing one */
  readonly emptyOk?: true;
  /**
   * the value may be left out (`--dashboard` alone: its default, given as ''): then the next word
   * is its value only when it is not a URL (has no `://`), so `--dashboard http://host/` still
   * names the target
   */
  readonly optionalValue?: true;
  /** the default shown in --help (the plan applies its own); a number is formatted by `kind` */
  readonly default?: string | number | boolean | ((context: HelpContext) => string);
  readonly group?: string;
  readonly help: string;
  /** help text that follows the default */
  readonly afterDefault?: string;
  /** the JSON types a profile may hold for it; absent: a profile may not set it */
  readonly profile?: readonly ProfileType[];
  /** what it does beyond the target; a profile sets it only with --trust-profile */
  readonly sensitive?: Sensitivity;
}

const LOAD = 'Load:';
const STRESS = 'Stress (find the breaking point):';
const REQUEST = 'Request:';
const GENERATOR = 'Generator:';
const OUTPUT = 'Output:';
const BOXES = 'Load boxes (over ssh):';
const TLS = 'TLS (https URLs):';
const CONNECTION = 'Connection (HTTP/2, Unix sockets):';
const LIVE = 'Watch the run live:';

const TEXT = ['string'] as const;
const NUMERIC = ['string', 'number'] as const;
const SWITCH = ['boolean'] as const;
const LIST = ['string[]'] as const;

/** The table as written; its literal types give `FlagValues`. */
const TABLE = [
  {
    name: 'url',
    positional: true,
    type: 'string',
    help: 'target URL (http or https); none: the bundled target server (or the endpoints of --targets)',
    profile: TEXT,
  },
  {
    name: 'rate',
    type: 'string',
    group: LOAD,
    help: 'offered requests/s, on a fixed schedule (open loop)',
    default: DEFAULTS.rate,
    profile: NUMERIC,
  },
  {
    name: 'duration',
    alias: 'd',
    type: 'string',
    kind: 'duration',
    group: LOAD,
    help: 'how long to offer load',
    default: DEFAULTS.durationMs,
    profile: NUMERIC,
  },
  {
    name: 'clients',
    alias: 'c',
    type: 'string',
    group: LOAD,
    help: 'closed loop: N clients, each sends when its previous request ends',
    profile: NUMERIC,
  },
  {
    name: 'requests',
    alias: 'n',
    type: 'string',
    group: LOAD,
    help: 'closed loop: stop after this many requests in all (instead of --duration)',
    profile: NUMERIC,
  },
  {
    name: 'ramp',
    type: 'string',
    group: STRESS,
    help: 'raise the offered rate step by step from FROM to TO req/s, e.g. 100:20000',
    profile: TEXT,
  },
  {
    name: 'step',
    type: 'string',
    kind: 'duration',
    group: STRESS,
    help: 'length of each step',
    default: DEFAULTS.stepMs,
    profile: NUMERIC,
  },
  {
    name: 'steps',
    type: 'string',
    group: STRESS,
    help: 'number of equal steps from FROM to TO',
    default: DEFAULTS.rampSteps,
    profile: NUMERIC,
  },
  {
    name: 'increment',
    type: 'string',
    group: STRESS,
    help: 'fixed rate increment between steps, req/s (instead of --steps)',
    profile: NUMERIC,
  },
  {
    name: 'max-errors',
    type: 'string',
    kind: 'fraction',
    group: STRESS,
    help: 'a step breaks above this error rate (failures + drops), e.g. 1% or 0.01',
    default: DEFAULTS.maxErrorRate,
    profile: NUMERIC,
  },
  {
    name: 'slo-p99',
    type: 'string',
    kind: 'duration',
    group: STRESS,
    help: 'a step breaks when p99 latency (from due time) exceeds this duration',
    default: 'none',
    profile: NUMERIC,
  },
  {
    name: 'stop-on-break',
    type: 'boolean',
    group: STRESS,
    help: 'end the ramp after the first step that breaks; --no-stop-on-break runs every step',
    default: true,
    profile: SWITCH,
  },
  {
    name: 'refine',
    type: 'boolean',
    group: STRESS,
    help: 'after the break, bisect with shorter steps until the breaking point is known within 2%',
    profile: SWITCH,
  },
  {
    name: 'profile',
    alias: 'p',
    type: 'string',
    group: LOAD,
    help: "read options from a JSON profile (keys are these flags' long names); flags given here win",
  },
  {
    name: 'trust-profile',
    type: 'boolean',
    group: LOAD,
    help: 'let --profile set the fields that start processes, reach other machines or read or write files (see below); without it such a profile is refused. Only for a profile you wrote or have read',
  },
  { name: 'method', alias: 'X', type: 'string', group: REQUEST, help: 'HTTP method', default: 'GET', profile: TEXT },
  {
    name: 'header',
    alias: 'H',
    type: 'strings',
    greedy: true,
    group: REQUEST,
    help: 'request header "Name: value" (repeatable, each name once; the client sets Content-Length, Connection and framing itself). Credentials in the URL (http://user:pass@host/) are sent as Basic auth and shown as ***',
    profile: LIST,
  },
  { name: 'body', type: 'string', emptyOk: true, group: REQUEST, help: 'request body, as text', profile: TEXT },
  {
    name: 'body-file',
    type: 'string',
    kind: 'bytes-file',
    group: REQUEST,
    help: 'request body, read from this file',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'targets',
    type: 'string',
    kind: 'targets-file',
    group: REQUEST,
    help: 'send a weighted mix of named requests instead of one URL (give no URL with it): a JSON file holding an array of {"name", "url", "method", "headers", "body" or "bodyFile", "weight"}, name and url required, GET and weight 1 by default, any origins, at most 64; a bodyFile is read beside the file; --header adds to every one (an endpoint\'s own header wins). Each endpoint gets exactly its share of the schedule, and its own row in every report; --fail-on NAME:p99<200ms judges one',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'timeout',
    type: 'string',
    kind: 'duration',
    group: REQUEST,
    help: 'total deadline per request; then it counts as "timeout"',
    default: DEFAULTS.timeoutMs,
    profile: NUMERIC,
  },
  {
    name: 'insecure',
    type: 'boolean',
    group: TLS,
    help: "do not verify the server's certificate (self-signed, expired, another name); the summary warns that it was not verified",
    default: "verified against Node's CAs, or --ca",
    profile: SWITCH,
  },
  {
    name: 'ca',
    type: 'string',
    kind: 'text-file',
    group: TLS,
    help: "trust the PEM certificates in this file (a private CA, a self-signed server) instead of Node's CAs",
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'cert',
    type: 'string',
    kind: 'text-file',
    group: TLS,
    help: 'client certificate (PEM, the chain may follow it) for a server that asks for one; needs --key',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'key',
    type: 'string',
    kind: 'text-file',
    group: TLS,
    help: "the client certificate's private key (PEM, unencrypted); checked against --cert before any load",
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'servername',
    type: 'string',
    group: TLS,
    help: "the name sent as SNI and checked against the server's certificate, e.g. to reach https://127.0.0.1 as example.com",
    default: "the URL's host name (none for an IP address)",
    profile: TEXT,
  },
  {
    name: 'http2',
    type: 'boolean',
    group: CONNECTION,
    help: 'speak HTTP/2, agreed through TLS ALPN (https URLs; carried by undici): a server that does not agree to h2 is refused before any load',
    default: 'HTTP/1.1',
    profile: SWITCH,
  },
  {
    name: 'max-streams',
    type: 'string',
    group: CONNECTION,
    help: 'HTTP/2: most requests in flight at once on one connection (streams); a worker carries up to --connections times this',
    default: DEFAULTS.maxStreamsPerConnection,
    profile: NUMERIC,
  },
  {
    name: 'unix-socket',
    type: 'string',
    kind: 'unix-socket',
    group: CONNECTION,
    help: "connect to the server's Unix socket at this path instead of the URL's host and port (the URL still gives the scheme, path and Host); checked before any load",
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'workers',
    alias: 'w',
    type: 'string',
    group: GENERATOR,
    help: 'worker threads, each with its own scheduler and pool',
    default: ({ cpuCount }) =>
      `one per ${count(RATE_PER_WORKER)} req/s of the highest rate, at most ${cpuCount} (one per CPU core); closed loop: ${cpuCount}`,
    profile: NUMERIC,
  },
  {
    name: 'connections',
    type: 'string',
    group: GENERATOR,
    help: 'keep-alive connections per worker',
    default: `${DEFAULTS.connectionsPerWorker}; closed loop: one per client`,
    profile: NUMERIC,
  },
  {
    name: 'max-inflight',
    type: 'string',
    group: GENERATOR,
    help: 'requests in flight per worker; requests due beyond it are counted as dropped',
    default: DEFAULTS.maxInflightPerWorker,
    profile: NUMERIC,
  },
  {
    name: 'max-lag',
    type: 'string',
    kind: 'duration',
    group: GENERATOR,
    help: 'open loop: a scheduler lag p99 above this means the generator fell behind; the summary says so, and a ramp step is judged generator-limited instead of blamed on the server. Raise it on a busy shared box',
    default: DEFAULTS.maxLagMs,
    profile: NUMERIC,
  },
  {
    name: 'client',
    type: 'string',
    group: GENERATOR,
    help: 'the HTTP client of the workers: lean (HTTP/1.1 on node:net, built for the hot path) or undici (the cross-check)',
    default: 'lean',
    profile: TEXT,
  },
  {
    name: 'max-body',
    type: 'string',
    group: REQUEST,
    help: 'cut off response bodies longer than this (e.g. 64KiB, 10MB) and count them as "too-large"',
    default: 'no limit',
    profile: NUMERIC,
  },
  {
    name: 'warmup',
    type: 'string',
    kind: 'duration',
    group: GENERATOR,
    help: 'open loop: offer the first rate this long before measuring, unrecorded, so connections, JIT and server are warm; 0 for none',
    default: DEFAULTS.warmupMs,
    profile: NUMERIC,
  },
  {
    name: 'interval',
    type: 'string',
    kind: 'duration',
    group: OUTPUT,
    help: 'length of a reporting interval',
    default: DEFAULTS.intervalMs,
    profile: NUMERIC,
  },
  { name: 'json', type: 'boolean', group: OUTPUT, help: 'print the summary as one JSON object on stdout', profile: SWITCH },
  { name: 'quiet', alias: 'q', type: 'boolean', group: OUTPUT, help: 'no live progress on stderr', profile: SWITCH },
  {
    name: 'dashboard',
    type: 'string',
    optionalValue: true,
    emptyOk: true,
    group: OUTPUT,
    help: 'serve a live page of the run (charts updated every interval, then the final report) on ADDR: PORT, HOST:PORT or [IPV6]:PORT; its URL is printed at the start',
    default: '127.0.0.1 on a free port',
  },
  {
    name: 'agents',
    type: 'string',
    group: BOXES,
    help: 'generate the load on these boxes over ssh, e.g. user@box1,box2:2222 (stress ships its agent to each: a box needs node 20 or newer); --workers is per box',
    default: "each box's cores",
    profile: TEXT,
    sensitive: 'process',
  },
  {
    name: 'agents-file',
    type: 'string',
    kind: 'text-file',
    group: BOXES,
    help: 'read the boxes from a file: one [user@]host[:port] per line, # comments',
    profile: TEXT,
    sensitive: 'process',
  },
  {
    name: 'ssh-option',
    type: 'strings',
    group: BOXES,
    help: 'pass -o Key=Value to ssh (repeatable), e.g. IdentityFile=~/.ssh/load',
    profile: LIST,
    sensitive: 'process',
  },
  {
    name: 'remote-command',
    type: 'string',
    group: BOXES,
    help: 'how to start stress on a box you installed it on',
    default: "ship this stress's own agent over ssh (the box needs node 20 or newer)",
    afterDefault: ', e.g. "/opt/stress/bin/stress agent"',
    profile: TEXT,
    sensitive: 'process',
  },
  {
    name: 'abort-on-agent-loss',
    type: 'boolean',
    group: BOXES,
    help: 'stop every box when one is lost mid-run',
    default: 'go on with the others, and report the loss',
    profile: SWITCH,
  },
  {
    name: 'endurance',
    type: 'boolean',
    group: 'Endurance:',
    help: `outage, recovery and drift analysis with ${ENDURANCE_INTERVAL_MS} ms intervals (unless --interval); on anyway, at the given interval, for runs of ${ENDURANCE_MIN_INTERVALS} intervals or more`,
    profile: SWITCH,
  },
  {
    name: 'fail-on',
    type: 'strings',
    group: OUTPUT,
    help: "exit 1 when a threshold is crossed (repeatable), e.g. 'p99<50ms' 'errors<1%' 'achieved>=9000'; metrics: p50 p90 p99 p99.9 max mean lag-p99 errors dropped achieved",
    profile: ['string', 'string[]'],
  },
  {
    name: 'out',
    type: 'string',
    kind: 'output-file',
    group: OUTPUT,
    help: 'also write the JSON summary to this file (stdout keeps the text)',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'html',
    type: 'string',
    kind: 'output-file',
    group: OUTPUT,
    help: 'write a self-contained HTML report with charts to this file (opens offline)',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'log',
    type: 'string',
    kind: 'output-file',
    group: OUTPUT,
    help: 'write one CSV row per request (index, status, size, latency ms, due ms, service ms, error class), streamed to disk',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'hdr-log',
    type: 'string',
    kind: 'output-file',
    group: OUTPUT,
    help: 'write the latency of every interval as an HdrHistogram log (.hlog), in µs, ramp steps tagged',
    profile: TEXT,
    sensitive: 'file',
  },
  {
    name: 'metrics',
    type: 'string',
    group: LIVE,
    help: "serve the run's figures to Prometheus at http://ADDR/metrics while it lasts, updated once per interval, e.g. 9464 (on 127.0.0.1), 0.0.0.0:9464 or [::1]:9464",
  },
  {
    name: 'metrics-linger',
    type: 'string',
    kind: 'duration',
    group: LIVE,
    help: 'after the summary, keep --metrics up until one scrape has read the final figures, at most this long (set it to your scrape interval)',
    default: '0, close with the summary',
    profile: NUMERIC,
  },
  {
    name: 'bundled',
    type: 'strings',
    group: 'Bundled target (no URL):',
    help: `a fault knob of the bundled target server, KNOB=VALUE (repeatable): ${BUNDLED_KNOBS.join(', ')}; e.g. latency=2ms (a profile's knobs are ignored when a URL is given)`,
    profile: LIST,
  },
] as const satisfies readonly FlagSpec[];

/** The flags, in --help order (groups appear in the order of their first flag). */
export const FLAGS: readonly FlagSpec[] = TABLE;
/** The positional url (first in the table, so it leads --help). */
export const URL_ARG: FlagSpec = TABLE[0] satisfies { name: 'url'; positional: true };

type Flag = (typeof TABLE)[number];
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type ValueOf<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F['type'] extends 'strings'
    ? string[]
    : F extends { kind: 'targets-file' }
      ? TargetsFile
      : F extends { kind: 'bytes-file' }
        ? { path: string; content: Buffer | null }
        : F extends { kind: 'text-file' }
          ? { path: string; content: string | null }
          : F extends { kind: 'unix-socket' }
            ? { path: string; found: SocketFound }
            : string;

/** The flags' values as given, under camelCase keys; a flag that was not given has no key. */
export type FlagValues = { [F in Flag as Camel<F['name']>]?: ValueOf<F> };

/** The raw option's key for a flag: `max-lag` -> `maxLag`. */
export function camelName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The default as --help shows it, or undefined when the flag shows none. */
export function defaultText(flag: FlagSpec, context: HelpContext): string | undefined {
  const value = flag.default;
  if (typeof value === 'function') return value(context);
  if (typeof value === 'number' && flag.kind === 'duration') return value >= 1000 && value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`;
  if (typeof value === 'number' && flag.kind === 'fraction') return `${Number((value * 100).toPrecision(12))}%`;
  return value === undefined ? undefined : String(value);
}

/** The flag's line in --help: its text, with the default where it has one. */
export function helpText(flag: FlagSpec, context: HelpContext): string {
  const shown = defaultText(flag, context);
  return shown === undefined ? flag.help : `${flag.help} [default: ${shown}]${flag.afterDefault ?? ''}`;
}
