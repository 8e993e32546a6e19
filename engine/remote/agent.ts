/**
 * `stress agent`: the load box's side. Reads controller messages as JSON lines on stdin, runs
 * each plan with its own worker pool (the same LocalRun as a local run), and writes its merged
 * interval snapshots, then `done`, as JSON lines on stdout. stdout carries protocol lines only.
 *
 * It never outlives its controller: when stdin closes (the controller exited, was killed, or its
 * ssh died) the load stops within a short drain and the process exits; and while a run is on, a
 * controller that has gone silent (its heartbeat pings stopped, as when its network vanished
 * without closing the connection) stops the load as well.
 */
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { VERSION } from '../../common/version.js';
import { epochNowMs } from '../run/worker-protocol.js';
import type { AgentMessage, ControllerMessage } from './agent-protocol.js';
import type { RunSpec } from '../run/contract.js';
import { LocalRun } from '../run/local-run.js';
import { encodeStats } from '../measure/snapshot.js';

/** Drain given to requests in flight when the controller goes away. */
const ORPHAN_DRAIN_MS = 500;
/** A run stops when the controller has said nothing (not even a heartbeat ping) for this long. */
export const CONTROLLER_SILENCE_LIMIT_MS = 15_000;
/** However a stop goes, the agent exits within this after stdin closed. */
const EXIT_LIMIT_MS = 10_000;

/** Why a plan's spec cannot run here, or null. The controller built it; this guards against another program. */
function specProblem(spec: RunSpec | undefined): string | null {
  if (!spec || typeof spec !== 'object') return 'plan without a spec';
  if (!spec.target || typeof spec.target.url !== 'string') return 'plan without a target';
  if (!spec.load || (spec.load.kind !== 'rate' && spec.load.kind !== 'clients')) return 'plan with an unknown load';
  if (!Number.isInteger(spec.workers) || spec.workers < 1 || spec.workers > 256) return `plan asks for ${spec.workers} workers`;
  return null;
}

export async function runAgent(input: Readable, output: Writable, log: Writable): Promise<number> {
  // a controller that is gone cannot be told anything: a write error only means it is gone
  output.on('error', () => undefined);
  const send = (message: AgentMessage) => output.write(`${JSON.stringify(message)}\n`);
  let greeted = false;
  let current: { runId: number; run: LocalRun; ended: Promise<void> } | null = null;
  let lastHeardMs = epochNowMs();
  let exitCode = 0;

  const lines = createInterface({ input, crlfDelay: Infinity });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  const refuse = (message: string) => {
    send({ type: 'error', message });
    exitCode = 1;
    lines.close();
  };

  const startRun = (runId: number, spec: RunSpec) => {
    const run = new LocalRun(spec, (interval) => send({ type: 'snapshot', runId, snapshot: encodeStats(interval) }));
    const watchdog = setInterval(() => {
      if (epochNowMs() - lastHeardMs <= CONTROLLER_SILENCE_LIMIT_MS) return;
      log.write(`stress agent: the controller has been silent for ${CONTROLLER_SILENCE_LIMIT_MS / 1000} s: stopping\n`);
      run.stop(ORPHAN_DRAIN_MS);
      lines.close();
    }, 1000);
    const ended = run.run().then(
      (result) => {
        send({ type: 'done', runId, interrupted: result.interrupted, elapsedS: result.elapsedS, workerFailures: result.workerFailures });
      },
      (error: Error) => refuse(`run failed: ${error.message}`),
    ).finally(() => {
      clearInterval(watchdog);
      current = null;
    });
    current = { runId, run, ended };
  };

  lines.on('line', (line) => {
    lastHeardMs = epochNowMs();
    let message: ControllerMessage;
    try {
      message = JSON.parse(line) as ControllerMessage;
    } catch {
      return refuse(`not a protocol line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (message.type === 'ping') return void send({ type: 'pong', id: message.id, remoteMs: epochNowMs() });
    if (message.type === 'hello') {
      // answered either way, so the controller can name both versions
      send({ type: 'hello', version: VERSION, cores: availableParallelism(), pid: process.pid });
      if (message.version !== VERSION) return refuse(`the controller runs stress ${message.version}, this agent runs ${VERSION}`);
      greeted = true;
      return;
    }
    if (!greeted) return refuse(`"${message.type}" before hello`);
    if (message.type === 'plan') {
      if (current) return refuse(`plan ${message.runId} while run ${current.runId} is still on`);
      const problem = specProblem(message.spec);
      if (problem) return refuse(problem);
      return startRun(message.runId, message.spec);
    }
    if (message.type === 'stop') {
      if (current && current.runId === message.runId) current.run.stop(message.drainMs, message.planned);
      return;
    }
    refuse(`unknown message type "${(message as { type: unknown }).type}"`);
  });

  await closed;
  const running = current as { run: LocalRun; ended: Promise<void> } | null;
  if (running) {
    running.run.stop(ORPHAN_DRAIN_MS);
    let limit: NodeJS.Timeout | undefined;
    await Promise.race([running.ended, new Promise<void>((resolve) => (limit = setTimeout(resolve, EXIT_LIMIT_MS)))]);
    clearTimeout(limit);
  }
  return exitCode;
}

/** `stress agent [...]` from the command line: the process's own stdin and stdout. */
export async function agentCommand(args: readonly string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(`stress agent: takes no arguments ("${args[0]}"): it reads its plans on stdin from the controller\n`);
    return 2;
  }
  return runAgent(process.stdin, process.stdout, process.stderr);
}
