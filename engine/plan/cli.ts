/**
 * The command line: its words are read (argv.ts) and --help is written (help.ts) from the table
 * of flags.ts; `buildPlan` (plan.ts) validates. Anything wrong ends in `UsageError`, which the entry point prints as one
 * line with exit 2. Files named by flags (--body-file, --agents-file) are read here, and what is
 * at a --unix-socket path is looked at, in the shell around the pure plan.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgv } from './argv.js';
import { renderHelp } from './help.js';
import type { RawOptions } from './plan.js';
import { UsageError } from './usage-error.js';
import { readProfile, refuseSensitiveFields, SENSITIVE_FIELDS } from './profile.js';
import { camelName, FLAGS, type FlagSpec, type SocketFound } from './flags.js';
import { bodyFilesOf, type TargetsFile } from './targets-plan.js';

export { UsageError };

/** What the command line asks for: a run with its raw options, the help text, or the version. */
export type CliOutcome = { kind: 'run'; options: RawOptions } | { kind: 'help'; text: string } | { kind: 'version' };

const EPILOGUE = `Durations: 500ms, 2s, 5m, 1h (a bare number is seconds). Rates: 2000 or 2k (requests/s).
Without a URL, the bundled target server starts on a free loopback port and /test-get/0 is used.
Latency is measured from each request's due time (open loop), so a stalling server cannot hide
behind a slow generator; scheduler lag says how late the generator itself was.

Examples:
  stress --duration 10s                                  bundled target, default rate
  stress http://127.0.0.1:8000/hello --rate 20k --duration 30s
  stress http://127.0.0.1:8000/test-get/0 --clients 10 --requests 2000
  stress http://10.0.0.5:8000/hello --ramp 100:20000 --step 30s --agents load@box1,load@box2
  stress https://10.0.0.5:8443/hello --http2 --rate 5k --ca ca.pem      HTTP/2 (h2 through ALPN)
  stress http://localhost/hello --unix-socket /run/app.sock             a server on a Unix socket
  stress --targets mix.json --rate 2k --fail-on 'checkout:p99<200ms'   a weighted mix of endpoints

Profiles are data: a profile may not start processes, reach other machines, or read or write
files on its own. One that sets any of these fields is refused, unless the flag is also given
here (its value wins) or --trust-profile is added:
  ${SENSITIVE_FIELDS.map((name) => `"${name}"`).join(' ')}`;

/** Throws UsageError for a single-value flag given more than once or without a value. */
function checkSingleValues(args: Record<string, unknown>): void {
  for (const flag of FLAGS) {
    const value = args[flag.name];
    if (flag.type !== 'string' || flag.positional || value === undefined) continue;
    if (Array.isArray(value)) throw new UsageError(`--${flag.name} was given more than once`);
    if (typeof value !== 'string' || (value === '' && !flag.emptyOk)) {
      throw new UsageError(`--${flag.name} needs ${flag.kind === 'output-file' ? 'a file name' : 'a value'}`);
    }
  }
}

/** Parses the command line; throws UsageError for anything the flags alone show is wrong. */
export async function parseCommandLine(argv: string[], cpuCount: number): Promise<CliOutcome> {
  const { values, positionals } = parseArgv(argv);
  if (values.help === true) return { kind: 'help', text: renderHelp({ cpuCount }, Math.min(110, process.stdout.columns || 100), EPILOGUE) };
  if (values.version === true) return { kind: 'version' };
  const args: Record<string, unknown> = { ...values, ...(positionals.length > 0 ? { url: positionals[0] } : {}), _: positionals.slice(1) };
  checkSingleValues(args);
  const extra = (args._ as unknown[]) ?? [];
  if (extra.length > 0) throw new UsageError(`unexpected argument "${String(extra[0])}" (only one URL is taken)`);
  if (args['trust-profile'] !== undefined && typeof args.profile !== 'string') throw new UsageError('--trust-profile needs --profile');
  if (typeof args.profile === 'string') {
    const profile = readProfile(args.profile);
    // a profile's knobs describe the bundled target; pointed at a real server, they do not apply
    if (typeof args.url === 'string') delete profile.bundled;
    // before any of the profile's values is used: nothing it names is started, read or written
    if (args['trust-profile'] !== true) refuseSensitiveFields(profile, args.profile, (name) => args[name] !== undefined);
    Object.assign(args, { ...profile, ...withoutUndefined(args) });
    checkSingleValues(args);
  }
  return { kind: 'run', options: rawOptions(args) };
}

/** The given flags' values under their camelCase keys; a flag not given has no key. */
function rawOptions(args: Record<string, unknown>): RawOptions {
  const raw: Record<string, unknown> = {};
  for (const flag of FLAGS) {
    const value = args[flag.name];
    if (value !== undefined) raw[camelName(flag.name)] = rawValue(flag, value);
  }
  // each value has the type `FlagValues` derives for its flag from the same table
  return raw as RawOptions;
}

function rawValue(flag: FlagSpec, value: unknown): unknown {
  if (flag.type === 'boolean') return value;
  if (flag.type === 'strings') return ([] as unknown[]).concat(value).map(String);
  const text = String(value);
  if (flag.kind === 'bytes-file') return { path: text, content: readOrNull(() => readFileSync(text)) };
  if (flag.kind === 'text-file') return { path: text, content: readOrNull(() => readFileSync(text, 'utf8')) };
  if (flag.kind === 'targets-file') return readTargetsFile(text);
  if (flag.kind === 'unix-socket') return { path: text, found: socketFound(text) };
  return text;
}

/** What is at `path`: a socket (a server may listen on it), nothing, or something else. */
function socketFound(path: string): SocketFound {
  const stats = readOrNull(() => statSync(path));
  if (stats === null) return 'missing';
  return stats.isSocket() ? 'socket' : 'not-a-socket';
}

/** A targets file and the body files its entries name, a relative name beside the file; targets-plan.ts checks them. */
function readTargetsFile(path: string): TargetsFile {
  const content = readOrNull(() => readFileSync(path, 'utf8'));
  // no prototype: a body file named __proto__ is a key like any other
  const bodies: Record<string, Buffer | null> = Object.create(null);
  const parsed = content === null ? null : readOrNull((): unknown => JSON.parse(content));
  for (const name of bodyFilesOf(parsed)) bodies[name] = readOrNull(() => readFileSync(resolve(dirname(path), name)));
  return { path, content, bodies };
}

function readOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

function withoutUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}
