/**
 * `npm test` runs this before the tests: some tests need Debian packages (a real Chromium, a real
 * sshd), and a fresh machine must get from `npm ci && npm test` to a green suite with nothing
 * installed by hand. A missing package never turns into a skipped test: either this installs it
 * (as root, or through passwordless sudo) or it stops at once with one line naming the command.
 * Everything present: it prints nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Debian package the tests need, the executables that show it is installed, and why. */
export interface Prerequisite {
  package: string;
  /** absolute paths, or bare names looked up on PATH and in /usr/bin */
  executables: readonly string[];
  why: string;
}

/** What the tests need. */
export const TEST_PREREQUISITES: readonly Prerequisite[] = [
  { package: 'chromium', executables: ['/usr/bin/chromium'], why: 'Chromium for the HTML report test' },
  { package: 'openssh-server', executables: ['/usr/sbin/sshd'], why: 'sshd for the load-box tests' },
  { package: 'openssh-client', executables: ['ssh', 'ssh-keygen'], why: 'ssh and ssh-keygen for the load-box tests' },
  { package: 'nginx', executables: ['/usr/sbin/nginx'], why: 'nginx, the second target of the HTTPS tests' },
  { package: 'openssl', executables: ['openssl'], why: 'openssl to make the HTTPS tests their certificates' },
  { package: 'prometheus', executables: ['prometheus', 'promtool'], why: 'Prometheus and promtool for the --metrics tests' },
  { package: 'util-linux', executables: ['setpriv'], why: 'setpriv for the --metrics test of a port without permission (run as root)' },
  {
    package: 'passwd',
    executables: ['/usr/sbin/useradd', '/usr/sbin/userdel'],
    why: 'useradd and userdel for the shipped-agent test (a box user of its own)',
  },
  { package: 'wrk', executables: ['wrk'], why: "wrk, the peer the bench's smoke test runs flat out" },
  { package: 'time', executables: ['/usr/bin/time'], why: "GNU time, the bench's measure of CPU seconds" },
];

/** The prerequisites with at least one executable not among `found`. */
export function missingPrerequisites(found: ReadonlySet<string>, table: readonly Prerequisite[] = TEST_PREREQUISITES): Prerequisite[] {
  return table.filter((entry) => entry.executables.some((executable) => !found.has(executable)));
}

/** What the machine allows: run as root, `sudo -n true` works, apt-get exists. */
export interface Powers {
  root: boolean;
  sudo: boolean;
  aptGet: boolean;
}

/** Nothing to do, commands (argv) to run after printing `notice`, or one line to fail with. */
export type Decision = { kind: 'ready' } | { kind: 'install'; notice: string; commands: string[][] } | { kind: 'fail'; message: string };

/** The shell command a person runs to install `packages` themselves. */
export function manualInstallCommand(packages: readonly string[], root: boolean): string {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`;
}

/** Decides what to do about the missing prerequisites. Pure. */
export function decide(missing: readonly Prerequisite[], powers: Powers): Decision {
  if (missing.length === 0) return { kind: 'ready' };
  const packages = missing.map((entry) => entry.package);
  if (!powers.aptGet) {
    const executables = missing.flatMap((entry) => entry.executables);
    return {
      kind: 'fail',
      message: `stress tests need ${executables.join(', ')} (Debian packages ${packages.join(', ')}) and there is no apt-get here: install them and npm test again`,
    };
  }
  if (!powers.root && !powers.sudo) {
    return {
      kind: 'fail',
      message: `stress tests need ${packages.join(', ')}: run \`${manualInstallCommand(packages, false)}\` and npm test again`,
    };
  }
  const asRoot = powers.root ? [] : ['sudo', '-n'];
  return {
    kind: 'install',
    notice: `stress tests: installing Debian packages ${packages.join(' ')} (${missing.map((entry) => entry.why).join(', ')})`,
    commands: [
      [...asRoot, 'apt-get', 'update', '-qq'],
      [...asRoot, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...packages],
    ],
  };
}

/** Whether an executable of the table is there: an absolute path as is, a bare name on PATH or in /usr/bin. */
function isInstalled(executable: string): boolean {
  if (executable.startsWith('/')) return existsSync(executable);
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  return directories.some((directory) => existsSync(join(directory, executable)));
}

function foundExecutables(): Set<string> {
  return new Set(TEST_PREREQUISITES.flatMap((entry) => entry.executables).filter(isInstalled));
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function main(): void {
  const missing = missingPrerequisites(foundExecutables());
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  // asked only when it matters: a sudo that wants a password must not prompt or print
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const decision = decide(missing, { root, sudo, aptGet: isInstalled('apt-get') });
  if (decision.kind === 'ready') return;
  if (decision.kind === 'fail') fail(decision.message);
  console.log(decision.notice);
  const packages = missing.map((entry) => entry.package);
  for (const [command, ...args] of decision.commands) {
    // apt-get's stderr stays visible: it says why an install failed
    const { status, signal } = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (status !== 0) {
      fail(
        `stress tests: \`${[command, ...args].join(' ')}\` failed (exit ${status ?? signal}): run \`${manualInstallCommand(packages, root)}\` and npm test again`,
      );
    }
  }
  const stillMissing = TEST_PREREQUISITES.flatMap((entry) => entry.executables).filter((executable) => !isInstalled(executable));
  if (stillMissing.length > 0) fail(`stress tests: installed ${packages.join(' ')} but ${stillMissing.join(', ')} is still missing`);
}

// run as a script, not when a test imports the pure part (realpath: the worktree may sit behind a symlink)
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
