/**
 * What `stress agent` makes of each controller message: the hello handshake (versions must
 * match), pings (answered with the agent's clock, and the controller's heartbeat), plans (one
 * run at a time, with its own worker pool) and stops. Each message is checked before it is acted
 * on (plan-check.ts: a plan's spec field by field); any message it cannot honour is refused with an
 * `error` line, and the agent then hangs up. Reading the lines and exiting is `agent.ts`.
 */
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { VERSION } from '../../common/version.js';
import { epochNowMs } from '../run/worker-protocol.js';
import type { AgentMessage, ControllerMessage } from './agent-protocol.js';
import type { RunSpec } from '../run/contract.js';
import { LocalRun } from '../run/local-run.js';
import { checkControllerMessage } from './plan-check.js';
import { encodeStats } from '../measure/snapshot.js';

/** Drain given to requests in flight when the controller goes away. */
const ORPHAN_DRAIN_MS = 500;
/** A run stops when the controller has said nothing (not even a heartbeat ping) for this long. */
export const CONTROLLER_SILENCE_LIMIT_MS = 15_000;

type HelloMessage = Extract<ControllerMessage, { type: 'hello' }>;
type PlanMessage = Extract<ControllerMessage, { type: 'plan' }>;
type StopMessage = Extract<ControllerMessage, { type: 'stop' }>;

/** The run this agent has on; `ended` settles once its `done` (or error) was sent. */
interface ActiveRun {
  runId: number;
  run: LocalRun;
  ended: Promise<void>;
}

export class AgentSession {
  /** the agent's exit code: 1 once it refused a message or a run failed */
  exitCode = 0;
  private greeted = false;
  private current: ActiveRun | null = null;
  private lastHeardMs = epochNowMs();

  /**
   * `send` writes one line to the controller, `log` is for people (stderr), and `hangUp` stops
   * reading the controller's lines, which ends the agent.
   */
  constructor(
    private readonly send: (message: AgentMessage) => void,
    private readonly log: Writable,
    private readonly hangUp: () => void,
  ) {}

  /** One line from the controller. A ping is answered even before hello: it measures the clock. */
  receive(line: string): void {
    this.lastHeardMs = epochNowMs();
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.refuse(`not a protocol line: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    // valid JSON is not yet a message: `null` or `42` must be refused, not crash the agent
    if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
      this.refuse(`not a protocol message: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
    const message = checkControllerMessage(value);
    if (typeof message === 'string') {
      this.refuse(message);
      return;
    }
    if (message.type === 'ping') this.send({ type: 'pong', id: message.id, remoteMs: epochNowMs() });
    else if (message.type === 'hello') this.greet(message);
    else if (!this.greeted) this.refuse(`"${message.type}" before hello`);
    else if (message.type === 'plan') this.plan(message);
    else if (message.type === 'stop') this.stop(message);
    else this.refuse(`unknown message type "${(message as { type: unknown }).type}"`);
  }

  /**
   * The controller is gone: stops the run still on (if any) with a short drain. Returns when
   * that run has ended, or undefined when none was on.
   */
  abandonRun(): Promise<void> | undefined {
    if (!this.current) return undefined;
    this.current.run.stop(ORPHAN_DRAIN_MS);
    return this.current.ended;
  }

  private greet(message: HelloMessage): void {
    // answered either way, so the controller can name both versions
    this.send({ type: 'hello', version: VERSION, cores: availableParallelism(), pid: process.pid });
    if (message.version !== VERSION) this.refuse(`the controller runs stress ${message.version}, this agent runs ${VERSION}`);
    else this.greeted = true;
  }

  private plan(message: PlanMessage): void {
    if (this.current) this.refuse(`plan ${message.runId} while run ${this.current.runId} is still on`);
    else this.startRun(message.runId, message.spec);
  }

  /** A stop for a run that is not (or no longer) on is nothing to do: runs end on their own too. */
  private stop(message: StopMessage): void {
    if (this.current && this.current.runId === message.runId) this.current.run.stop(message.drainMs, message.planned);
  }

  private startRun(runId: number, spec: RunSpec): void {
    // The agent writes no file a controller names: a key restricted to `stress agent` must not
    // become a way to create files anywhere its user can write. --log is the controller's, locally.
    // Nor does it lower its primary's priority: the controller may send further runs, whose
    // workers would inherit it.
    const run = new LocalRun({ ...spec, requestLogPath: null, lastPool: false }, (interval) =>
      this.send({ type: 'snapshot', runId, snapshot: encodeStats(interval) }),
    );
    const watchdog = this.watchForSilence(run);
    const ended = run
      .run()
      .then(
        (result) => {
          this.send({
            type: 'done',
            runId,
            interrupted: result.interrupted,
            elapsedS: result.elapsedS,
            workerFailures: result.workerFailures,
          });
        },
        (error: Error) => this.refuse(`run failed: ${error.message}`),
      )
      .finally(() => {
        clearInterval(watchdog);
        this.current = null;
      });
    this.current = { runId, run, ended };
  }

  /**
   * A controller whose network vanished without closing the connection never closes stdin;
   * its heartbeat pings stopping is the only sign, so the run is stopped on silence.
   */
  private watchForSilence(run: LocalRun): NodeJS.Timeout {
    return setInterval(() => {
      if (epochNowMs() - this.lastHeardMs <= CONTROLLER_SILENCE_LIMIT_MS) return;
      this.log.write(`stress agent: the controller has been silent for ${CONTROLLER_SILENCE_LIMIT_MS / 1000} s: stopping\n`);
      run.stop(ORPHAN_DRAIN_MS);
      this.hangUp();
    }, 1000);
  }

  private refuse(message: string): void {
    this.send({ type: 'error', message });
    this.exitCode = 1;
    this.hangUp();
  }
}
