/**
 * `stress agent`: the load box's side. Reads controller messages as JSON lines on stdin, runs
 * each plan with its own worker pool (the same LocalRun as a local run), and writes its merged
 * interval snapshots, then `done`, as JSON lines on stdout. stdout carries protocol lines only.
 *
 * It never outlives its controller: when stdin closes (the controller exited, was killed, or its
 * ssh died) the load stops within a short drain and the process exits; and while a run is on, a
 * controller that has gone silent (its heartbeat pings stopped, as when its network vanished
 * without closing the connection) stops the load as well.
 *
 * This file reads the lines and ends the process; what each message does is `agent-session.ts`.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { AgentMessage } from './agent-protocol.js';
import { AgentSession } from './agent-session.js';

export { CONTROLLER_SILENCE_LIMIT_MS } from './agent-session.js';

/** However a stop goes, the agent exits within this after stdin closed. */
const EXIT_LIMIT_MS = 10_000;

/** Serves one controller on `input`/`output` until it hangs up or is refused; resolves to the exit code. */
export async function runAgent(input: Readable, output: Writable, log: Writable): Promise<number> {
  // a controller that is gone cannot be told anything: a write error only means it is gone
  output.on('error', () => undefined);
  const send = (message: AgentMessage): void => {
    output.write(`${JSON.stringify(message)}\n`);
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  const session = new AgentSession(send, log, () => lines.close());
  lines.on('line', (line) => session.receive(line));

  await closed;
  const ending = session.abandonRun();
  if (ending) {
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([
      ending,
      new Promise<void>((resolve) => {
        limit = setTimeout(resolve, EXIT_LIMIT_MS);
      }),
    ]);
    clearTimeout(limit);
  }
  // read only now: a run that fails while it drains still makes the exit code 1
  return session.exitCode;
}

/** `stress agent [...]` from the command line: the process's own stdin and stdout. */
export async function agentCommand(args: readonly string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(`stress agent: takes no arguments ("${args[0]}"): it reads its plans on stdin from the controller\n`);
    return 2;
  }
  return runAgent(process.stdin, process.stdout, process.stderr);
}
