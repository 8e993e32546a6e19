/**
 * A Unix user made for one test file, as a load box that has nothing but node would be: an
 * empty home, /bin/sh as its shell, no stress anywhere it can see, logged in over the lab's ssh
 * (its authorized_keys is the lab's). Creating and removing it needs root, as the suite runs.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface BoxUser {
  name: string;
  uid: number;
  home: string;
  /** pids of every process running as this user */
  processes(): number[];
  /** polls until the user runs no process (at most `limitMs`), and returns what still runs */
  settled(limitMs?: number): Promise<number[]>;
  /** removes the user and its home */
  remove(): void;
}

/** uid of every process, from /proc/<pid>/status (its real uid). */
function processUids(): Array<{ pid: number; uid: number }> {
  const found: Array<{ pid: number; uid: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'latin1'));
      if (uid) found.push({ pid: Number(name), uid: Number(uid[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export function createBoxUser(): BoxUser {
  const name = `stress-box-${randomBytes(4).toString('hex')}`;
  const home = `/tmp/${name}`;
  // '*': no password, yet not locked (sshd refuses a key to a locked account)
  execFileSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', '--password', '*', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, uid, gid);
  const user: BoxUser = {
    name,
    uid,
    home,
    processes: () =>
      processUids()
        .filter((entry) => entry.uid === uid)
        .map((entry) => entry.pid),
    settled: async (limitMs = 5000) => {
      const until = Date.now() + limitMs;
      let left = user.processes();
      while (left.length > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = user.processes();
      }
      return left;
    },
    remove: () => {
      for (const pid of user.processes()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      execFileSync('userdel', [name]);
      rmSync(home, { recursive: true, force: true });
    },
  };
  return user;
}
