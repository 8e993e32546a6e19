/**
 * Load boxes for tests: a real OpenSSH server per box, each on its own loopback address
 * (127.0.0.2, 127.0.0.3, ...) and a free port, with throw-away host and user keys in a temp dir,
 * so the boxes and the target (127.0.0.1) are separate hosts without leaving the loopback range.
 * The client side uses real `ssh` with the user key and a known_hosts file written here, so host
 * keys are checked for real (StrictHostKeyChecking=yes).
 *
 * Every session a box's sshd starts carries STRESS_TEST_BOX=<marker> in its environment
 * (sshd_config SetEnv): that is how a test finds the agent process on a box, kills it, and
 * proves afterwards that nothing it started is left running. A box may set more of its sessions'
 * environment (a PATH of its own, say), and any local user may log in to any box with the lab's
 * key: its authorized_keys is readable by all (the private keys are not).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './raw-servers.js';
import { STRESS_BIN } from './stress-cli.js';

const SSHD = '/usr/sbin/sshd';

export interface LoadBox {
  address: string;
  port: number;
  /** `user@address:port`, as given to --agents */
  agent: string;
  /** STRESS_TEST_BOX value of its sessions */
  marker: string;
  sshd: ChildProcess;
}

export interface SshLab {
  dir: string;
  boxes: LoadBox[];
  /** --ssh-option flags: the user key, this lab's known_hosts */
  sshArgs: string[];
  /** --remote-command that starts this worktree's agent (sshd's PATH need not hold node) */
  remoteCommand: string;
  /** pids of the `stress agent` processes in the box's sessions */
  agentPids(box: LoadBox): number[];
  /** every process this lab's boxes or clients left running, besides the sshd listeners */
  leftovers(): number[];
  /** polls until nothing is left over (at most `limitMs`), and returns what still is */
  settled(limitMs?: number): Promise<number[]>;
  stop(): Promise<void>;
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return ''; // gone meanwhile, or not ours to read
  }
}

/** pid -> parent pid, environment and command line of every process. */
function processes(): Array<{ pid: number; ppid: number; environ: string; cmdline: string }> {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      const stat = readProc(pid, 'stat');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return { pid: Number(pid), ppid, environ: readProc(pid, 'environ'), cmdline: readProc(pid, 'cmdline') };
    });
}

/** A box's sessions' environment beyond its marker: names and values without spaces or quotes. */
export type BoxEnvironment = Readonly<Record<string, string>>;

/** sshd could not bind: the port found free was taken before sshd listened on it. */
class PortTaken extends Error {}

/**
 * sshd on `address` and a free port. The port is found free, released, then given to sshd: another
 * socket may take it in between, so an sshd that cannot bind is started again on another port.
 */
async function startSshd(address: string, dir: string, marker: string, env: BoxEnvironment): Promise<{ port: number; sshd: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSshdOn(address, await freePort(address), dir, marker, env);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 5) throw error;
    }
  }
}

async function startSshdOn(
  address: string,
  port: number,
  dir: string,
  marker: string,
  env: BoxEnvironment,
): Promise<{ port: number; sshd: ChildProcess }> {
  const config = join(dir, `sshd-${address}.conf`);
  writeFileSync(
    config,
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      'PidFile none',
      `SetEnv STRESS_TEST_BOX=${marker}${Object.entries(env)
        .map(([name, value]) => ` ${name}=${value}`)
        .join('')}`,
      '',
    ].join('\n'),
  );
  const sshd = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd on ${address}:${port} did not listen within 10 s: ${said}`)), 10_000);
    sshd.stderr!.setEncoding('utf8').on('data', (text: string) => {
      if (said.length < 8192) said += text;
      if (said.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sshd.once('exit', (code) => {
      clearTimeout(timer);
      const why = `sshd on ${address}:${port} exited (${code}): ${said}`;
      reject(/Address already in use/.test(said) ? new PortTaken(why) : new Error(why));
    });
  });
  return { port, sshd };
}

/** sshd on each address; `env` adds to the environment of the sessions of the boxes it names (by address). */
export async function startSshLab(addresses: readonly string[], env: Readonly<Record<string, BoxEnvironment>> = {}): Promise<SshLab> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install openssh-server (npm test does)`);
  // sshd refuses to start without its privilege separation directory
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'stress-sshd-'));
  for (const key of ['host_key', 'user_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', key, '-f', join(dir, key)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')), { mode: 0o644 });
  // sshd reads authorized_keys as the user logging in: other users may pass through, not list
  chmodSync(dir, 0o711);
  const user = userInfo().username;
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim();

  const boxes: LoadBox[] = [];
  const knownHosts: string[] = [];
  try {
    for (const address of addresses) {
      const marker = `${dir}:${address}`;
      const { port, sshd } = await startSshd(address, dir, marker, env[address] ?? {});
      boxes.push({ address, port, agent: `${user}@${address}:${port}`, marker, sshd });
      knownHosts.push(`[${address}]:${port} ${hostKey}`);
    }
  } catch (error) {
    for (const box of boxes) box.sshd.kill('SIGKILL');
    throw error;
  }
  writeFileSync(join(dir, 'known_hosts'), `${knownHosts.join('\n')}\n`);

  const listeners = () => new Set(boxes.map((box) => box.sshd.pid));
  const lab: SshLab = {
    dir,
    boxes,
    sshArgs: [
      '--ssh-option',
      `IdentityFile=${join(dir, 'user_key')}`,
      '--ssh-option',
      `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      '--ssh-option',
      'StrictHostKeyChecking=yes',
      '--ssh-option',
      'IdentitiesOnly=yes',
    ],
    remoteCommand: `${process.execPath} --single-threaded-gc ${STRESS_BIN} agent`,
    agentPids: (box) =>
      processes()
        .filter((p) => p.environ.split('\0').includes(`STRESS_TEST_BOX=${box.marker}`) && p.cmdline.includes(`${STRESS_BIN}\0agent`))
        .map((p) => p.pid),
    leftovers: () => {
      const own = listeners();
      return processes()
        .filter(
          (p) =>
            !own.has(p.pid) &&
            p.pid !== process.pid &&
            (own.has(p.ppid) || // an sshd session still open
              p.cmdline.includes(dir) || // an ssh client with this lab's key
              p.environ.includes(`STRESS_TEST_BOX=${dir}`)), // anything started in a box's session
        )
        .map((p) => p.pid);
    },
    settled: async (limitMs = 5000) => {
      const until = Date.now() + limitMs;
      let left = lab.leftovers();
      while (left.length > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = lab.leftovers();
      }
      return left;
    },
    stop: async () => {
      await Promise.all(
        boxes.map(
          (box) =>
            new Promise<void>((resolve) => {
              if (box.sshd.exitCode !== null || box.sshd.signalCode !== null) return resolve();
              box.sshd.once('exit', () => resolve());
              box.sshd.kill('SIGTERM');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

const STALL_HOOK = new URL('./stall-worker-hook.js', import.meta.url).href;

/**
 * A --remote-command that starts the lab's agent on every box, with `box`'s worker thread held
 * `forMs` once, `afterMs` after it started (helpers/stall-worker-hook.ts): a box that falls behind.
 * sshd sets the box's marker in each of its sessions; the remote shell tells the boxes apart by it.
 */
export function remoteCommandHolding(lab: SshLab, box: LoadBox, afterMs: number, forMs: number): string {
  const hook = `NODE_OPTIONS=--import=${STALL_HOOK} STALL_HOOK_THREAD=1 STALL_HOOK_AFTER_MS=${afterMs} STALL_HOOK_FOR_MS=${forMs}`;
  return `if [ "$STRESS_TEST_BOX" = '${box.marker}' ]; then export ${hook}; fi; exec ${lab.remoteCommand}`;
}
