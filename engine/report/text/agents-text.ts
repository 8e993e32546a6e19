/**
 * The load boxes in the text summary: one row per box under the merged figures (so a weak or
 * overloaded box is visible), how its agent came to run and how long its set-up took, the clock
 * correction, every box lost, and the merged generator verdict naming the boxes that were the limit.
 */
import type { AgentSummary, RemoteSummary } from '../../summary/box-summary.js';
import type { Summary } from '../../summary/summary.js';
import { count, fixed, ms, percent, tally } from '../../../common/format.js';
import { stripControls } from '../../../common/strip-controls.js';

const COLUMNS = ['load box', 'agent', 'workers', 'achieved/s', 'requests', 'errors', 'p99 ms', 'lag p99', 'busy', 'generator'];

/** How the box's agent came to run, and the set-up's seconds: shipped, found in its cache, or the --remote-command. */
function agentCell(agent: AgentSummary): string {
  const how = agent.shipped === null ? 'command' : agent.shipped ? 'shipped' : 'cached';
  return `${how} ${fixed(agent.setupS, 1)} s`;
}

function row(agent: AgentSummary, openLoop: boolean): string[] {
  const errors = agent.failure + agent.dropped;
  const errorText = errors === 0 ? '0' : `${count(errors)} (${tally({ ...agent.errors, dropped: agent.dropped })})`;
  const state = agent.lost
    ? `lost at ${fixed(agent.lost.atS, 1)} s`
    : !openLoop
      ? 'closed loop'
      : agent.generatorLimited
        ? 'could NOT keep up'
        : 'kept up';
  return [
    agent.agent,
    agentCell(agent),
    String(agent.workers),
    count(agent.achieved),
    count(agent.requests),
    errorText,
    fixed(agent.latencyMs.p99),
    fixed(agent.schedulerLagMs.p99),
    agent.generatorBusy === null ? 'n/a' : percent(agent.generatorBusy, 1),
    state,
  ];
}

function table(rows: string[][]): string[] {
  const widths = COLUMNS.map((header, i) => Math.max(header.length, ...rows.map((cells) => cells[i]!.length)));
  // names and the error text read left to right; numbers line up on the right
  const line = (cells: string[]) =>
    `    ${cells
      .map((cell, i) => (i <= 1 || i === 5 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()}`;
  return [line(COLUMNS), ...rows.map(line)];
}

/** The boxes that were the generator's limit, named with why; null when none was. */
export function limitingAgents(remote: RemoteSummary | undefined): string | null {
  const limited = (remote?.agents ?? []).filter((agent) => agent.generatorLimited && !agent.lost);
  return limited.length === 0 ? null : limited.map((agent) => `${agent.agent} (${agent.reason})`).join(', ');
}

/** Lines for the boxes of a remote run; none for a local one. */
export function agentLines(summary: Summary): string[] {
  const remote = summary.remote;
  if (!remote) return [];
  const openLoop = summary.mode !== 'clients';
  const lines = [
    '',
    `Load boxes: ${remote.agents.length}, clocks corrected by up to ${ms(Math.abs(remote.clockOffsetMs))} (every start right within ${ms(remote.clockUncertaintyMs)})`,
    ...table(remote.agents.map((agent) => row(agent, openLoop))),
  ];
  for (const agent of remote.agents) {
    if (agent.lost)
      lines.push(
        `Load box ${agent.agent} was lost at ${fixed(agent.lost.atS, 1)} s: ${stripControls(agent.lost.message)} (its data up to then is kept)`,
      );
  }
  if (remote.abortedOnAgentLoss) lines.push('The run was aborted because a load box was lost (--abort-on-agent-loss).');
  return lines;
}
