/**
 * The load-box flags (declared in flags.ts; the shell reads the agents file): their validation
 * into the plan's `remote` part, every problem at once like the rest of the plan.
 */
import { parseAgentList, parseAgentsFile, type AgentAddress } from '../remote/agent-address.js';
import { remoteCommandProblem, sshOptionProblem } from '../remote/ssh.js';
import type { FlagValues } from './flags.js';

/** The load-box flags' raw values (the agents file already read: content null when unreadable). */
export type RawRemoteOptions = Pick<FlagValues, 'agents' | 'agentsFile' | 'sshOption' | 'remoteCommand' | 'abortOnAgentLoss'>;

export interface RemotePlan {
  /** the load boxes, in the order given */
  agents: AgentAddress[];
  /** `Key=Value` options for ssh, in the order given */
  sshOptions: string[];
  /** how stress is started on each box (the user's own text); null: the controller ships its own agent */
  remoteCommand: string | null;
  /** stop every box when one is lost (default: go on with the others) */
  abortOnAgentLoss: boolean;
  /** worker threads per box (--workers); null: as many as each box has cores */
  workersPerAgent: number | null;
}

/** What the remote part needs from the rest of the plan. */
export interface RemoteContext {
  url: string | null;
  /** closed-loop clients, or null */
  clients: number | null;
  /** --workers when given, else null */
  workers: number | null;
}

/** The plan's remote part, or null for a local run; problems are pushed onto `problems`. */
export function remotePlan(raw: RawRemoteOptions & { url?: string }, problems: string[], context: RemoteContext): RemotePlan | null {
  const wanted = raw.agents !== undefined || raw.agentsFile !== undefined;
  if (!wanted) {
    for (const [flag, value] of [
      ['--ssh-option', raw.sshOption],
      ['--remote-command', raw.remoteCommand],
      ['--abort-on-agent-loss', raw.abortOnAgentLoss],
    ] as const) {
      if (value !== undefined) problems.push(`${flag} needs --agents or --agents-file`);
    }
    return null;
  }
  const agents: AgentAddress[] = [];
  if (raw.agents !== undefined) {
    const parsed = parseAgentList(raw.agents);
    agents.push(...parsed.agents);
    problems.push(...parsed.problems);
  }
  if (raw.agentsFile) {
    if (raw.agentsFile.content === null) {
      problems.push(`--agents-file: cannot read "${raw.agentsFile.path}"`);
    } else {
      const parsed = parseAgentsFile(raw.agentsFile.content, raw.agentsFile.path);
      agents.push(...parsed.agents);
      problems.push(...parsed.problems);
    }
  }
  if (raw.url === undefined) {
    problems.push("--agents needs a target URL: the bundled target server would run on this machine, out of the load boxes' reach");
  }
  if (context.clients !== null && agents.length > context.clients) {
    problems.push(`--clients ${context.clients} is fewer than the ${agents.length} load boxes: every box needs a client at least`);
  }
  const sshOptions = raw.sshOption ?? [];
  for (const option of sshOptions) {
    const problem = sshOptionProblem(option);
    if (problem) problems.push(problem);
  }
  const remoteCommand = raw.remoteCommand ?? null;
  const commandProblem = remoteCommand === null ? null : remoteCommandProblem(remoteCommand);
  if (commandProblem) problems.push(commandProblem);
  return { agents, sshOptions, remoteCommand, abortOnAgentLoss: raw.abortOnAgentLoss ?? false, workersPerAgent: context.workers };
}
