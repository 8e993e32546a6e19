/**
 * The remote command that ships the agent when no `--remote-command` is given, and what its first
 * line means. Pure.
 *
 * ssh hands the command to the user's login shell, which may be sh, bash, zsh, fish or csh: the
 * command is therefore `exec /bin/sh -c '<script>'`, one line, with no single quote, backslash or
 * `!` inside, which every one of those shells passes to sh unchanged. The script runs
 * `node --version` (the `node` on the PATH of a non-interactive ssh session), says what it
 * answered and how it exited, then reads one line from stdin (the boot stage, box-stage.ts; sh's
 * `read` takes no byte past the line's end) and runs it with node in its own place, so that
 * the agent ends up the session's only process. It waits for that line: the controller sends it
 * only once it has judged the version.
 */

/** The first line of the script's answer: `stress-boot: node <exit status> <what node --version said>`. */
const VERSION_LINE = /^stress-boot: node (\d{1,3})(?: (.*))?$/;
const VERSION = /^v(\d+)\.(\d+)\.(\d+)$/;

/** The oldest node the shipped agent runs on. */
export const MIN_NODE_MAJOR = 20;

const SCRIPT = [
  'set -f',
  'v=$(node --version 2>&1)',
  's=$?',
  // unquoted: whatever node said, on one line
  'echo "stress-boot: node $s" $v',
  '[ "$s" = 0 ] || exit 0',
  'IFS= read -r l || exit 0',
  'exec node --single-threaded-gc -e "$l"',
].join('; ');

export const BOOT_COMMAND = `exec /bin/sh -c '${SCRIPT}'`;

/** What the version line says: a line that is not it, a node to boot, or why the box cannot run the agent. */
export type VersionVerdict = { kind: 'other' } | { kind: 'node'; version: string } | { kind: 'unusable'; problem: string };

/** Judges a line of the boot script's output. */
export function judgeVersionLine(line: string): VersionVerdict {
  const match = VERSION_LINE.exec(line);
  if (!match) return { kind: 'other' };
  const status = Number(match[1]);
  const said = (match[2] ?? '').trim().slice(0, 200);
  if (status === 127) return { kind: 'unusable', problem: `no node on its PATH (${said || 'command not found'})` };
  if (status !== 0) return { kind: 'unusable', problem: `node --version failed (exit ${status}${said ? `: ${said}` : ''})` };
  const version = VERSION.exec(said);
  if (!version) return { kind: 'unusable', problem: `node --version said ${JSON.stringify(said)}, not a version` };
  if (Number(version[1]) < MIN_NODE_MAJOR)
    return { kind: 'unusable', problem: `node ${said} is too old: the shipped agent needs node ${MIN_NODE_MAJOR} or newer` };
  return { kind: 'node', version: said };
}
