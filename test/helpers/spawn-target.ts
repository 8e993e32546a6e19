/**
 * Test helper, shared with the engine tests: runs `bin/target-server --port 0 ...args` as a
 * child process and waits for its "listening on" line, so every test talks to a real server
 * in its own process (its stalls and its event loop are not the test's).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

/** bin/target-server, from dist/test/helpers/ */
export const TARGET_BIN = fileURLToPath(new URL('../../../bin/target-server', import.meta.url));

const LISTENING = /^listening on (http:\/\/\S+) \(uWebSockets\.js (native|fallback)\)$/;

export interface SpawnedTarget {
  /** base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  engine: 'native' | 'fallback';
  /** the first stdout line, verbatim */
  line: string;
  child: ChildProcess;
  /** what the server wrote to stderr so far */
  stderr(): string;
  /** SIGTERM, then resolves with the exit code (null if it had to be killed after 5 s). */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  /** how long to wait for the listening line, ms; default 10 s */
  timeoutMs?: number;
  /** environment of the child; default this process's */
  env?: NodeJS.ProcessEnv;
  /** port to listen on; default 0 (a free one) */
  port?: number;
}

export function spawnTarget(args: readonly string[] = [], options: SpawnOptions = {}): Promise<SpawnedTarget> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child = spawn(process.execPath, [TARGET_BIN, '--port', String(options.port ?? 0), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    // bounded: a chatty server must not grow the test's memory
    if (stderr.length < 64 * 1024) stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string): void => {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(new Error(`target-server ${args.join(' ')}: ${why}; stderr: ${stderr.trim() || '(empty)'}`));
    };
    const timer = setTimeout(() => fail(`no listening line within ${timeoutMs} ms`), timeoutMs);
    const exitedEarly = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${code ?? signal}) before listening`);
    child.once('exit', exitedEarly);
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      // keep reading so a full pipe never blocks the server
      child.stdout!.resume();
      const match = LISTENING.exec(line);
      if (!match) {
        child.kill('SIGKILL');
        reject(new Error(`target-server: unexpected first line ${JSON.stringify(line)}; stderr: ${stderr.trim()}`));
        return;
      }
      resolve({ url: match[1]!, engine: match[2] as 'native' | 'fallback', line, child, stderr: () => stderr, stop });
    });
  });
}

/**
 * The target server for a file's tests: started before the first, stopped after the last (its
 * start is the same for every test). Registers the file's `before` and `after`; read `target`
 * inside the tests.
 */
export function useTarget(args: readonly string[] = []): { readonly target: SpawnedTarget } {
  let target: SpawnedTarget | undefined;
  before(async () => {
    target = await spawnTarget(args);
  });
  after(() => target?.stop());
  return {
    get target() {
      if (target === undefined) throw new Error('the target is read before it started: read it inside a test');
      return target;
    },
  };
}
