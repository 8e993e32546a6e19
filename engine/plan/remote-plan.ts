/**
 * The load-box flags (declared in flags.ts): reading them (the agents file is
 * read here, in the shell around the plan), and their validation into the plan's `remote` part,
 * every problem at once like the rest of the plan.
 */
import { readFileSync } from 'node:fs';
import { parseAgentList, parseAgentsFile, type AgentAddress } from '../remote/agent-address.js';
import { UsageError } from './usage-error.js';
import { DEFAULT_REMOTE_COMMAND, remoteCommandProblem, sshOptionProblem } from '../remote/ssh.js';

export interface RawRemoteOptions {
  agents?: string;
  /** the agents file's content, already read (null: could not be read) */
  agentsFile?: { path: string; content: string | null };
  sshOption?: string[];
  remoteCommand?: string;
  abortOnAgentLoss?: boolean;
}

export interface RemotePlan {
  /** the load boxes, in the order given */
  agents: AgentAddress[];
  /** `Key=Value` options for ssh, in the order given */
  sshOptions: string[];
  /** how stress is started on each box (the user's own text; nothing else reaches the remote shell) */
  remoteCommand: string;
  /** stop every box when one is lost (default: go on with the others) */
  abortOnAgentLoss: boolean;
  /** worker threads per box (--workers); null: as many as each box has cores */
  workersPerAgent: number | null;
}

/** The flags' values from parsed arguments; throws UsageError for a repeated or empty single-value flag. */
export function readRemoteOptions(args: Record<string, unknown>): RawRemoteOptions {
  for (const name of ['agents', 'agents-file', 'remote-command'] as const) {
    if (Array.isArray(args[name])) throw new UsageError(`--${name} was given more than once`);
    if (name in args && args[name] !== undefined && (typeof args[name] !== 'string' || args[name] === '')) throw new UsageError(`--${name} needs a value`);
  }
  const raw: RawRemoteOptions = {};
  if (typeof args.agents === 'string') raw.agents = args.agents;
  if (typeof args['agents-file'] === 'string') {
    const path = args['agents-file'];
    let content: string | null;
    try {
      content = readFileSync(path, 'utf8');
    } catch {
      content = null;
    }
    raw.agentsFile = { path, content };
  }
  if (args['ssh-option'] !== undefined) raw.sshOption = ([] as unknown[]).concat(args['ssh-option']).map(String);
  if (typeof args['remote-command'] === 'string') raw.remoteCommand = args['remote-command'];
  if (typeof args['abort-on-agent-loss'] === 'boolean') raw.abortOnAgentLoss = args['abort-on-agent-loss'];
  return raw;
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
    for (const [flag, value] of [['--ssh-option', raw.sshOption], ['--remote-command', raw.remoteCommand], ['--abort-on-agent-loss', raw.abortOnAgentLoss]] as const) {
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
    problems.push('--agents needs a target URL: the bundled target server would run on this machine, out of the load boxes\' reach');
  }
  if (context.clients !== null && agents.length > context.clients) {
    problems.push(`--clients ${context.clients} is fewer than the ${agents.length} load boxes: every box needs a client at least`);
  }
  const sshOptions = raw.sshOption ?? [];
  for (const option of sshOptions) {
    const problem = sshOptionProblem(option);
    if (problem) problems.push(problem);
  }
  const remoteCommand = raw.remoteCommand ?? DEFAULT_REMOTE_COMMAND;
  const commandProblem = remoteCommandProblem(remoteCommand);
  if (commandProblem) problems.push(commandProblem);
  return { agents, sshOptions, remoteCommand, abortOnAgentLoss: raw.abortOnAgentLoss ?? false, workersPerAgent: context.workers };
}
