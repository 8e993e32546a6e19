/**
 * `bin/target-server`: parse flags, start the server, print the one "listening on" line, and
 * stop cleanly on SIGTERM/SIGINT. Exit codes: 0 stopped by a signal (or --help), 1 could not
 * listen, 2 bad command line. Errors are one line on stderr, never a stack trace.
 */

import { parseTargetArgs, HELP } from './cli-args.js';
import { ListenError, startTargetServer, type TargetServer } from './server.js';

/** After a stop signal the process is gone within this long, whatever is still in flight (ms). */
const EXIT_DEADLINE_MS = 1900;
/** In-flight responses get this long to finish (ms); the rest of the deadline is slack. */
const DRAIN_MS = 1500;

async function main(argv: readonly string[]): Promise<void> {
  const outcome = parseTargetArgs(argv);
  if (outcome.kind === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (outcome.kind === 'error') {
    process.stderr.write(`target-server: ${outcome.message}\n`);
    process.exitCode = 2;
    return;
  }

  let server: TargetServer;
  try {
    server = await startTargetServer({ ...outcome.options, drainTimeoutMs: DRAIN_MS });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`target-server: ${error.message}\n`);
    process.exit(1);
  }
  const running = server;
  const stop = (signal: NodeJS.Signals): void => {
    process.stderr.write(`target-server: ${signal}, finishing in-flight requests\n`);
    // Keep-alive connections or a stall could hold the process; the deadline does not wait.
    setTimeout(() => process.exit(0), EXIT_DEADLINE_MS).unref();
    void running.close().then(() => process.exit(0));
  };
  // Handlers first: whoever reads the line below may signal at once.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`listening on ${server.url} (uWebSockets.js ${server.engine})\n`);
}

await main(process.argv.slice(2));
