/**
 * The load boxes of one invocation: every box connected, greeted (same version) and its clock
 * measured before any load leaves; then one plan after another over the same connections (a
 * ramp and its refining), and at the end every agent told to go and every ssh gone.
 *
 * A box that cannot be used fails the whole start, before any load, in one line naming it: a
 * run silently missing a box would offer less than the plan says.
 *
 * Without a remote command, the agent is this controller's own code, shipped (ship/): each box's
 * ssh runs the boot command, which checks the box's node and its cache and takes the bundle when
 * the cache does not hold it, then runs the agent on the same connection.
 */
import { AgentLink, type AgentHello } from './agent-link.js';
import { AgentError } from './agent-error.js';
import type { AgentAddress } from './agent-address.js';
import type { ClockOffset, Loss } from '../run/contract.js';
import { epochNowMs } from '../run/worker-protocol.js';
import { loadAgentBundle, type AgentBundle } from './ship/agent-bundle.js';
import { BOOT_COMMAND } from './ship/boot-command.js';
import { BootExchange } from './ship/boot-exchange.js';

export interface FleetOptions {
  sshOptions: readonly string[];
  /** how stress is started on each box; null: ship this controller's own agent */
  remoteCommand: string | null;
  /** workers per box; null: as many as the box has cores */
  workersPerAgent: number | null;
  /** aborted (Ctrl-C): give up connecting, end every ssh, throw */
  signal?: AbortSignal;
  /** receives each box and the ssh command line (quoted for a shell) that is about to connect it */
  announce?: (agent: AgentAddress, commandLine: string) => void;
  /** receives a line for the user about a box being set up (a cache entry replaced) */
  notice?: (agent: AgentAddress, line: string) => void;
}

export interface FleetMember {
  link: AgentLink;
  hello: AgentHello;
  workers: number;
  clock: ClockOffset;
  /** controller clock when `clock` was measured, ms */
  clockAtMs: number;
  /** set when the box was lost in a run: it takes no part in later runs */
  lost: Loss | null;
  /** the agent was uploaded (true) or found in the box's cache (false); null: started by --remote-command */
  shipped: boolean | null;
  /** seconds from starting ssh to the agent's hello */
  setupS: number;
}

/** Pings per clock measurement: the smallest round trip of these sets the offset. */
const CLOCK_PINGS = 8;
const PING_TIMEOUT_MS = 5000;
/** Once one box has failed, how long the others get to finish connecting, so every failure is named at once. */
const FAILURE_GRACE_MS = 500;
const CLOSE_LIMIT_MS = 5000;

/** How long shipping the agent may take beyond the hello's wait: the upload. */
const SHIP_EXTRA_MS = 60_000;

/** How long a box may take to answer the first hello: ssh's connect timeout plus starting node there. */
export function helloTimeoutMs(sshOptions: readonly string[]): number {
  const connect = sshOptions.map((option) => /^ConnectTimeout=(\d+)$/i.exec(option)).find((match) => match !== null);
  return Math.max(20_000, (connect ? Number(connect[1]) : 10) * 1000 + 10_000);
}

/** This controller's agent bundle; a one-line AgentError when it cannot be shipped. */
function readBundle(): AgentBundle {
  try {
    return loadAgentBundle();
  } catch (error) {
    throw new AgentError(`cannot ship the agent: ${(error as Error).message}`);
  }
}

/** Ships the agent to the box on `link` and starts it there. */
function ship(link: AgentLink, bundle: AgentBundle, timeoutMs: number, notice: FleetOptions['notice']) {
  const exchange = new BootExchange(
    bundle,
    (data) => link.writeRaw(data),
    (line) => notice?.(link.agent, line),
  );
  return link.boot(exchange, timeoutMs);
}

export class Fleet {
  private runs = 0;

  private constructor(readonly members: FleetMember[]) {}

  /**
   * Connects every box at once; throws AgentError (one line, every failed box named) when any
   * fails, or when `options.signal` aborts first.
   */
  static async connect(agents: readonly AgentAddress[], options: FleetOptions): Promise<Fleet> {
    const { announce, notice } = options;
    const bundle = options.remoteCommand === null ? readBundle() : null;
    const startedMs = epochNowMs();
    const links = agents.map(
      (agent) =>
        new AgentLink(
          agent,
          options.sshOptions,
          options.remoteCommand ?? BOOT_COMMAND,
          announce && ((commandLine) => announce(agent, commandLine)),
        ),
    );
    const timeoutMs = helloTimeoutMs(options.sshOptions);
    const failures: string[] = [];
    let firstFailure: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (firstFailure = resolve));
    const onAbort = () => {
      failures.push('interrupted while connecting to the load boxes; no load was sent');
      firstFailure();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const joining = links.map(async (link): Promise<FleetMember | null> => {
      try {
        const shipped = bundle && (await ship(link, bundle, timeoutMs + SHIP_EXTRA_MS, notice)).shipped;
        const hello = await link.hello(timeoutMs);
        const setupS = (epochNowMs() - startedMs) / 1000;
        const clock = await link.measureClock(CLOCK_PINGS, PING_TIMEOUT_MS);
        // the box's own count, kept to what a plan allows (--workers: 1 to 256)
        const cores = Math.min(256, Math.max(1, Math.floor(hello.cores) || 1));
        return { link, hello, workers: options.workersPerAgent ?? cores, clock, clockAtMs: epochNowMs(), lost: null, shipped, setupS };
      } catch (error) {
        failures.push(error instanceof AgentError ? error.message : `agent ${link.name}: ${(error as Error).message}`);
        firstFailure();
        return null;
      }
    });
    const everyone = Promise.all(joining);
    await Promise.race([
      everyone,
      failed.then(() => new Promise((resolve) => setTimeout(resolve, options.signal?.aborted ? 0 : FAILURE_GRACE_MS))),
    ]);
    options.signal?.removeEventListener('abort', onAbort);
    if (failures.length > 0) {
      await Promise.all(
        links.map((link) => {
          link.kill();
          return link.gone;
        }),
      );
      throw new AgentError(failures.join('; '));
    }
    return new Fleet((await everyone) as FleetMember[]);
  }

  /** The boxes not lost so far. */
  live(): FleetMember[] {
    return this.members.filter((member) => member.lost === null);
  }

  nextRunId(): number {
    return ++this.runs;
  }

  /** Measures again the clocks measured longer ago than `maxAgeMs` (clocks drift; a ramp can be long). */
  async freshenClocks(maxAgeMs: number): Promise<void> {
    await Promise.all(
      this.live().map(async (member) => {
        if (epochNowMs() - member.clockAtMs <= maxAgeMs) return;
        try {
          member.clock = await member.link.measureClock(CLOCK_PINGS, PING_TIMEOUT_MS);
          member.clockAtMs = epochNowMs();
        } catch {
          // a box that stopped answering is found lost by the run that follows
        }
      }),
    );
  }

  /** Tells every agent to go (stdin closed) and waits until every ssh has ended. */
  async close(): Promise<void> {
    await Promise.all(this.members.map((member) => member.link.close(CLOSE_LIMIT_MS)));
  }
}
