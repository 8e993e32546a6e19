/**
 * What stress knows of the system's OpenSSH client: the argv for one load box, and what its
 * exit means. Pure.
 *
 * Nothing is ever spliced into a shell string here: ssh gets an argv array (spawn without a
 * shell), every option is a separate `-o Key=Value`, `--` ends the options before the host, and
 * the only text the remote shell sees is the remote command the user wrote themselves, or the
 * fixed boot command that ships the agent (ship/boot-command.ts). The plan, URLs and headers
 * travel on the agent's stdin.
 *
 * ssh keeps the first value it is given for an option (command line before ~/.ssh/config, and
 * the first `-o` of the command line first), which sets the order below: BatchMode first so it
 * cannot be undone (there is no terminal for a password prompt: stdin carries the protocol),
 * then the user's `--ssh-option`s, then our defaults, which the user's may override.
 */
import type { AgentAddress } from './agent-address.js';

/** Defaults a user may override with --ssh-option: fail fast on a dead box, notice a dead link. */
export const SSH_DEFAULT_OPTIONS: readonly string[] = ['ConnectTimeout=10', 'ServerAliveInterval=5', 'ServerAliveCountMax=3'];

const OPTION = /^[A-Za-z][A-Za-z0-9]*=[^\r\n]+$/;

/** Why `--ssh-option` text is not a `Key=Value` ssh option, or null when it is one. */
export function sshOptionProblem(option: string): string | null {
  if (OPTION.test(option)) return null;
  return `--ssh-option: "${option}" must be Key=Value, e.g. IdentityFile=~/.ssh/load (see man ssh_config)`;
}

/** Why a remote command cannot be used, or null. */
export function remoteCommandProblem(command: string): string | null {
  if (command.trim() === '') return '--remote-command: must not be empty';
  if (/[\r\n\0]/.test(command)) return '--remote-command: must be one line';
  return null;
}

/** argv for `spawn('ssh', argv)` (no shell) that starts the agent on `agent`. */
export function sshArgv(agent: AgentAddress, sshOptions: readonly string[], remoteCommand: string): string[] {
  const argv = ['-T', '-o', 'BatchMode=yes'];
  for (const option of [...sshOptions, ...SSH_DEFAULT_OPTIONS]) argv.push('-o', option);
  if (agent.port !== null) argv.push('-p', String(agent.port));
  if (agent.user !== null) argv.push('-l', agent.user);
  argv.push('--', agent.host, remoteCommand);
  return argv;
}

/** A word the shell reads as itself: no quoting needed. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Characters a terminal may act on or hide: control characters (C0, DEL, C1) and format characters (bidi overrides, zero widths). */
const UNSEEN = /[\p{Cc}\p{Cf}]/u;

/**
 * `argv` as one shell command line that would run the very same argv, for showing what is about
 * to run: a word with anything but plain characters is single-quoted, and a word with a control
 * or format character is written in bash's `$'...'` with each such character escaped, so that
 * the line is one line and shows every character it runs.
 */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  if (!UNSEEN.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  let escaped = '';
  for (const char of word) {
    const code = char.codePointAt(0)!;
    if (char === '\\' || char === "'") escaped += `\\${char}`;
    else if (!UNSEEN.test(char)) escaped += char;
    else if (code < 0x80) escaped += `\\x${hex(code, 2)}`;
    else escaped += code <= 0xffff ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
  }
  return `$'${escaped}'`;
}

const hex = (code: number, digits: number): string => code.toString(16).padStart(digits, '0');

/**
 * One line saying why an ssh process ended. ssh exits with the remote command's status, or 255
 * for its own errors (cannot connect, authentication, host key), which it explains on stderr.
 */
export function describeSshExit(code: number | null, signal: string | null, stderr: string): string {
  const said = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
  if (signal !== null) return `ssh ended by ${signal}${said ? `: ${said}` : ''}`;
  // 255 and silence: the remote side was killed, or the connection dropped without a word
  if (code === 255) return said ?? 'the connection or the agent ended abruptly (ssh exit 255, no message)';
  return `the remote command exited with code ${code}${said ? `: ${said}` : ''}`;
}
