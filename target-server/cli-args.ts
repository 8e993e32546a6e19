/**
 * Command line of `bin/target-server`: flags -> `TargetServerOptions`, or the help text, or one
 * line saying what is wrong. Units come from common/units.ts so the target accepts the same
 * `500ms`/`2s`/`5%`/`2k` forms as `stress` itself.
 */

import { parseArgs } from 'node:util';
import { parseDurationMs, parseFraction, parseRate, parseWholeNumber, UnitError } from '../common/units.js';
import { validateTargetOptions, type TargetServerOptions } from './options.js';

/** Port used when `--port` is not given: the usual local test port. */
export const DEFAULT_PORT = 8000;

export const HELP = `Usage: target-server [flags]

The bundled HTTP target of stress (uWebSockets.js). Prints one line once it listens:
  listening on http://HOST:PORT (uWebSockets.js native|fallback)
and stops on SIGTERM/SIGINT (in-flight responses finish, exit within 2 s).

Endpoints (any method; a request body is read and discarded):
  /test-get/:n    200, body of random length, uniform in 500..40000 bytes (:n is ignored)
  /hello          200, a short fixed text body
  /bytes/:n       200, exactly n bytes (0..67108864 = 64 MiB), else 400
  /delay/:ms      200 after ms milliseconds (0..3600000); other requests go on meanwhile
  /status/:code   that status (100..599), else 400; 1xx/204/304 carry no body
  /health         200 while serving
  anything else   404

Flags (durations: 500ms, 2s, 5m, 1h, a bare number is seconds; fractions: 0.05 or 5%;
rates: 500, 2k requests/s). Faults compose, applied in this order per request:
capacity -> latency -> close-rate -> fail-rate -> endpoint.
  --port N            TCP port, 0 picks a free one                     default ${DEFAULT_PORT}
  --host ADDR         address to listen on                             default 127.0.0.1
  --latency DUR       fixed delay added to every response (not blocking) default 0
  --fail-rate P       fraction of requests answered 500                default 0
  --capacity R        serve at most R requests/s (token bucket, burst
                      10 ms of R); excess waits in a FIFO queue        default unlimited
  --queue N           requests that may wait for --capacity; when full
                      the server answers 503 at once                   default R (1 s of capacity)
  --pause-every DUR   stall the whole server (event loop blocked, like
                      a GC pause) once per DUR; needs --pause-for      default off
  --pause-for DUR     length of each stall, shorter than --pause-every default off
  --close-rate P      fraction of requests whose connection is closed
                      without any answer (client sees a reset)         default 0
  -h, --help          this text

Examples:
  target-server --port 8000
  target-server --capacity 5000 --queue 2000 --latency 5ms
  target-server --fail-rate 1% --pause-every 10s --pause-for 300ms
`;

export type CliOutcome = { kind: 'run'; options: TargetServerOptions } | { kind: 'help' } | { kind: 'error'; message: string };

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  latency: { type: 'string' },
  'fail-rate': { type: 'string' },
  capacity: { type: 'string' },
  queue: { type: 'string' },
  'pause-every': { type: 'string' },
  'pause-for': { type: 'string' },
  'close-rate': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SEE_HELP = 'see target-server --help';

/** Reads argv (without node and script). Never throws; a bad command line becomes `error`. */
export function parseTargetArgs(argv: readonly string[]): CliOutcome {
  let values: Partial<Record<keyof typeof FLAGS, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    return { kind: 'error', message: describeParseError(error) };
  }
  if (values.help) return { kind: 'help' };

  const problems: string[] = [];
  const options: TargetServerOptions = {};
  /** Converts one flag's text, keeping the unit parser's message (it names the flag) on failure. */
  const read = <K extends keyof TargetServerOptions>(
    key: K,
    flag: keyof typeof FLAGS,
    parse: (text: string, what: string) => TargetServerOptions[K],
  ): void => {
    const text = values[flag];
    if (typeof text !== 'string') return;
    try {
      options[key] = parse(text, `--${flag}`);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push(error.message);
    }
  };
  read('port', 'port', (text, what) => parseWholeNumber(text, what, 0, 65535));
  read('host', 'host', (text) => text);
  read('latencyMs', 'latency', parseDurationMs);
  read('failRate', 'fail-rate', parseFraction);
  read('capacity', 'capacity', parseRate);
  read('queue', 'queue', (text, what) => parseWholeNumber(text, what));
  read('pauseEveryMs', 'pause-every', parseDurationMs);
  read('pauseForMs', 'pause-for', parseDurationMs);
  read('closeRate', 'close-rate', parseFraction);
  options.port ??= DEFAULT_PORT;

  // Cross-flag rules only make sense once every value parsed; otherwise they would repeat
  // a problem already reported ("--pause-every: abc..." and "--pause-for needs --pause-every").
  if (problems.length === 0) problems.push(...validateTargetOptions(options));
  if (problems.length > 0) return { kind: 'error', message: `${problems.join('; ')} (${SEE_HELP})` };
  return { kind: 'run', options };
}

/** parseArgs' own messages suggest `--` positionals, which this command has none of. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${quoted} (${SEE_HELP} for the flags)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': every value follows its flag, e.g. --port 8000 (${SEE_HELP})`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.replace(/ <value>$/, '');
      if (/argument missing/.test(message)) return `${flag}: needs a value (${SEE_HELP})`;
      if (/ambiguous/.test(message)) return `${flag}: a value starting with "-" must be attached, as in ${flag}=-1 (${SEE_HELP})`;
      return `${flag}: takes no value (${SEE_HELP})`;
    }
    default:
      return `${message.split('\n')[0]} (${SEE_HELP})`;
  }
}
