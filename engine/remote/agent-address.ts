/**
 * Load boxes as the user names them: `[user@]host[:port]`, from `--agents a,b` or from a file
 * with one per line. Pure. Every problem is returned at once, each naming where it came from.
 *
 * What is accepted is deliberately narrow: a host or user that starts with `-` would be read by
 * ssh as an option, and whitespace or shell characters have no business in a host name. Names
 * from ~/.ssh/config (`Host box1`) pass as they are, so aliases, jump hosts and keys configured
 * there keep working.
 */

export interface AgentAddress {
  /** as the user wrote it: how reports and errors name the box */
  name: string;
  /** login name, or null for ssh's own choice (config or the local user) */
  user: string | null;
  /** host name, alias or address (IPv6 without its brackets) */
  host: string;
  /** ssh port, or null for ssh's own choice */
  port: number | null;
}

const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const PORT = /^[0-9]{1,5}$/;

/** One `[user@]host[:port]`, or the reason it is not one. */
export function parseAgentAddress(text: string): AgentAddress | string {
  const name = text.trim();
  if (name === '') return 'is empty';
  const at = name.lastIndexOf('@');
  const user = at < 0 ? null : name.slice(0, at);
  const rest = at < 0 ? name : name.slice(at + 1);
  if (user !== null && !USER.test(user)) return `user "${user}" may hold only letters, digits, ".", "-" and "_" (not first)`;

  let host: string;
  let portText: string | null = null;
  if (rest.startsWith('[')) {
    // [v6]:port: the brackets are the only way to tell an address's colons from the port's
    const close = rest.indexOf(']');
    if (close < 0) return 'has "[" without "]"';
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return `has "${after}" after "]"`;
    if (after !== '') portText = after.slice(1);
    if (!IPV6.test(host)) return `"${host}" is not an IPv6 address`;
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) return 'write an IPv6 address in brackets, e.g. [::1]:22';
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) portText = rest.slice(colon + 1);
    if (host === '') return 'has no host';
    if (!HOST.test(host)) return `host "${host}" may hold only letters, digits, ".", "-" and "_" (not "-" first)`;
  }

  let port: number | null = null;
  if (portText !== null) {
    port = PORT.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return `port "${portText}" must be a whole number from 1 to 65535`;
  }
  return { name, user, host, port };
}

/** The boxes of `--agents box1,user@box2:2222`; `flag` names the source in problems. */
export function parseAgentList(text: string, flag = '--agents'): { agents: AgentAddress[]; problems: string[] } {
  const agents: AgentAddress[] = [];
  const problems: string[] = [];
  for (const item of text.split(',')) {
    const parsed = parseAgentAddress(item);
    if (typeof parsed === 'string') problems.push(`${flag}: "${item.trim()}" ${parsed} (use [user@]host[:port])`);
    else agents.push(parsed);
  }
  return { agents, problems };
}

/** The boxes of an agents file: one per line; blank lines and `#` comments are ignored. */
export function parseAgentsFile(content: string, path: string): { agents: AgentAddress[]; problems: string[] } {
  const agents: AgentAddress[] = [];
  const problems: string[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const text = line.replace(/#.*/, '').trim();
    if (text === '') return;
    const parsed = parseAgentAddress(text);
    if (typeof parsed === 'string') problems.push(`--agents-file ${path} line ${index + 1}: "${text}" ${parsed} (use [user@]host[:port])`);
    else agents.push(parsed);
  });
  if (agents.length === 0 && problems.length === 0) problems.push(`--agents-file ${path}: names no load box`);
  return { agents, problems };
}
