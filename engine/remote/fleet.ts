/**
 * The load boxes of one invocation: every box connected, greeted (same version) and its clock
 * measured before any load leaves; then one plan after another over the same connections (a
 * ramp and its refining), and at the end every agent told to go and every ssh gone.
 *
 * A box that cannot be used fails the whole start, before any load, in one line naming it: a
 * run silently missing a box would offer less than the plan says.
 */
import { AgentError, AgentLink, type AgentHello } from './agent-link.js';
import type { AgentAddress } from './agent-address.js';
import type { ClockOffset, Loss } from '../run/contract.js';
import { epochNowMs } from '../run/worker-protocol.js';

export interface FleetOptions {
  sshOptions: readonly string[];
  remoteCommand: string;
  /** workers per box; null: as many as the box has cores */
  workersPerAgent: number | null;
  /** aborted (Ctrl-C): give up connecting, end every ssh, throw */
  signal?: AbortSignal;
  /** receives each box and the ssh command line (quoted for a shell) that is about to connect it */
  announce?: (agent: AgentAddress, commandLine: string) => void;
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
}

/** Pings per clock measurement: the smallest round trip of these sets the offset. */
const CLOCK_PINGS = 8;
const PING_TIMEOUT_MS = 5000;
/** Once one box has failed, how long the others get to finish connecting, so every failure is named at once. */
const FAILURE_GRACE_MS = 500;
const CLOSE_LIMIT_MS = 5000;

/** How long a box may take to answer the first hello: ssh's connect timeout plus starting node there. */
export function helloTimeoutMs(sshOptions: readonly string[]): number {
  const connect = sshOptions.map((option) => /^ConnectTimeout=(\d+)$/i.exec(option)).find((match) => match !== null);
  return Math.max(20_000, (connect ? Number(connect[1]) : 10) * 1000 + 10_000);
}

export class Fleet {
  private runs = 0;

  private constructor(readonly members: FleetMember[]) {}

  /**
   * Connects every box at once; throws AgentError (one line, every failed box named) when any
   * fails, or when `options.signal` aborts first.
   */
  static async connect(agents: readonly AgentAddress[], options: FleetOptions): Promise<Fleet> {
    const announce = options.announce;
    const links = agents.map(
      (agent) =>
        new AgentLink(agent, options.sshOptions, options.remoteCommand, announce && ((commandLine) => announce(agent, commandLine))),
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
        const hello = await link.hello(timeoutMs);
        const clock = await link.measureClock(CLOCK_PINGS, PING_TIMEOUT_MS);
        // the box's own count, kept to what a plan allows (--workers: 1 to 256)
        const cores = Math.min(256, Math.max(1, Math.floor(hello.cores) || 1));
        return { link, hello, workers: options.workersPerAgent ?? cores, clock, clockAtMs: epochNowMs(), lost: null };
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
