/**
 * Where the load comes from: worker threads on this machine, or load boxes over ssh. Either way
 * the rest of the program gets a worker count and a way to make runs with the shape of LocalRun,
 * so a load test, a ramp and its refining run the same on one machine or on many.
 */
import type { Plan } from './plan/plan.js';
import { workersFor, type RunFactory } from './run/contract.js';
import { LocalRun } from './run/local-run.js';

export interface Runs {
  /** worker threads in all (across every box) */
  workers: number;
  /** one line about the load boxes once they are ready; null for a local run */
  ready: string | null;
  makeRun: RunFactory;
  /** lets every box go (remote) */
  close(): Promise<void>;
}

/** What `openRuns` tells, and what stops it. */
export interface OpenRunsOptions {
  /** lines about boxes lost mid-run, or set up with a cache entry replaced */
  notice?: (line: string) => void;
  /** each box's ssh command line, just before it runs: what the plan starts on this machine is shown */
  announce?: (line: string) => void;
  /** aborted (Ctrl-C): stop connecting the boxes */
  signal?: AbortSignal;
}

/**
 * Local runs, or the plan's load boxes connected and ready; throws AgentError (one line naming
 * the boxes) when a box cannot be used.
 */
export async function openRuns(plan: Plan, localWorkers: number, options: OpenRunsOptions = {}): Promise<Runs> {
  const { notice, announce, signal } = options;
  if (!plan.remote) {
    return {
      workers: localWorkers,
      ready: null,
      makeRun: (spec, onInterval) => new LocalRun(spec, onInterval),
      close: async () => undefined,
    };
  }
  const { remote } = plan;
  // loaded only for load boxes: a run on this machine starts without the ssh and agent code
  const [{ Fleet }, { RemoteRun }] = await Promise.all([import('./remote/fleet.js'), import('./remote/remote-run.js')]);
  const fleet = await Fleet.connect(remote.agents, {
    ...remote,
    ...(signal ? { signal } : {}),
    ...(announce ? { announce: (agent, commandLine) => announce(`stress: agent ${agent.name}: ${commandLine}`) } : {}),
    ...(notice ? { notice: (agent, line) => notice(`stress: agent ${agent.name}: ${line}`) } : {}),
  });
  const offered = fleet.members.reduce((sum, member) => sum + member.workers, 0);
  // a closed loop uses no more workers than clients (see agent-share.ts)
  const workers = workersFor(offered, plan.clients);
  const worstUncertainty = Math.max(...fleet.members.map((member) => member.clock.uncertaintyMs));
  return {
    workers,
    ready: `stress: ${fleet.members.length} load boxes ready, ${workers} workers in all, start instants right within ${worstUncertainty.toFixed(2)} ms`,
    makeRun: (spec, onInterval) =>
      new RemoteRun(fleet, spec, onInterval, { abortOnAgentLoss: remote.abortOnAgentLoss, ...(notice ? { notice } : {}) }),
    close: () => fleet.close(),
  };
}
