/**
 * The boot stage: the one piece of the controller's code a box runs before the agent, given to
 * `node -e` as one line (boot-command.ts reads it from stdin). It finds the per-user cache
 * (`$XDG_CACHE_HOME/stress/agents/<hash>/`, else `~/.cache/...`), says whether the bundle is
 * there, takes the bundle from stdin when it is not (or does not match its hash), writes it to a
 * temporary folder beside its place and renames it there once its files hash right, checks the
 * entry once more and only then loads the agent, which goes on reading the same stdin.
 *
 * It reports on stdout, one JSON object a line (`StageReport`); the controller checks each
 * (boot-exchange.ts). An entry with a file too many, too few, of another kind (a link) or of
 * other bytes does not match: it is replaced, never run.
 *
 * `boxStage` and `bundleDigest` are sent as source text: they use nothing but their arguments.
 */
import type { bundleDigest } from './bundle-digest.js';

/** What the boot stage is told: the bundle's hash, its files in order, and the file to load. */
export interface StageParams {
  hash: string;
  files: Array<{ name: string; bytes: number }>;
  entry: string;
}

/** One line of the boot stage. */
export type StageReport =
  | { boot: 'cache'; state: 'hit' | 'missing' | 'mismatch'; dir: string }
  | { boot: 'stored' }
  | { boot: 'run' }
  | { boot: 'error'; message: string };

/** The line that runs the boot stage with `params`: `node -e` evaluates it. */
export function stageLine(params: StageParams, digest: typeof bundleDigest): string {
  const source = `(${boxStage.toString()})(require, ${JSON.stringify(params)}, ${digest.toString()})`;
  // JSON escapes the line breaks: one line, which the shell's `read` takes whole
  return `eval(${JSON.stringify(source)})`;
}

export async function boxStage(load: NodeJS.Require, params: StageParams, digest: typeof bundleDigest): Promise<void> {
  const fs = load('node:fs') as typeof import('node:fs');
  const path = load('node:path') as typeof import('node:path');
  const os = load('node:os') as typeof import('node:os');
  const { createHash } = load('node:crypto') as typeof import('node:crypto');
  const { pathToFileURL } = load('node:url') as typeof import('node:url');

  const say = (report: StageReport, then?: () => void): void => {
    process.stdout.write(`${JSON.stringify(report)}\n`, then);
  };
  /** An error whose message is the whole line for the controller. */
  class Refusal extends Error {}
  const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

  /** The regular files under `dir`, `/`-separated; null when anything else is there (a link) or it cannot be read. */
  const filesUnder = (dir: string, prefix = ''): string[] | null => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (entry.isFile()) names.push(prefix + entry.name);
      else if (!entry.isDirectory()) return null;
      else {
        const inner = filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`);
        if (inner === null) return null;
        names.push(...inner);
      }
    }
    return names;
  };
  const expected = params.files
    .map((file) => file.name)
    .sort()
    .join('\n');
  /** Whether `dir` holds the bundle: exactly its files, hashing to its hash. */
  const holdsBundle = (dir: string): boolean => {
    const names = filesUnder(dir);
    if (names === null || names.sort().join('\n') !== expected) return false;
    try {
      const files = params.files.map((file) => ({ name: file.name, data: fs.readFileSync(path.join(dir, ...file.name.split('/'))) }));
      return digest(createHash, files) === params.hash;
    } catch {
      return false;
    }
  };
  const exists = (where: string): boolean => {
    try {
      fs.lstatSync(where);
      return true;
    } catch {
      return false;
    }
  };
  /** Exactly `total` bytes of stdin; what came after them is left in the stream for the agent. */
  const readUpload = (total: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let have = 0;
      const stdin = process.stdin;
      const finish = (rest: Buffer | null): void => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
        if (rest !== null && rest.length > 0) stdin.unshift(rest);
        resolve(Buffer.concat(chunks, total));
      };
      const onData = (chunk: Buffer): void => {
        const need = total - have;
        chunks.push(chunk.length > need ? chunk.subarray(0, need) : chunk);
        have += Math.min(chunk.length, need);
        if (have === total) finish(chunk.length > need ? chunk.subarray(need) : null);
      };
      const onEnd = (): void => reject(new Refusal(`the upload ended after ${have} of ${total} bytes`));
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      if (total === 0) finish(null);
    });

  try {
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
    const root = path.join(base, 'stress', 'agents');
    try {
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      fs.accessSync(root, fs.constants.W_OK | fs.constants.X_OK);
    } catch (error) {
      throw new Refusal(`no writable cache directory: ${root} (${codeOf(error)})`);
    }
    const dir = path.join(root, params.hash);
    const state = holdsBundle(dir) ? 'hit' : exists(dir) ? 'mismatch' : 'missing';
    say({ boot: 'cache', state, dir });
    if (state !== 'hit') {
      const data = await readUpload(params.files.reduce((sum, file) => sum + file.bytes, 0));
      let temporary: string;
      try {
        temporary = fs.mkdtempSync(path.join(root, `.${params.hash.slice(0, 16)}-`));
        let offset = 0;
        for (const file of params.files) {
          const target = path.join(temporary, ...file.name.split('/'));
          fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
          fs.writeFileSync(target, data.subarray(offset, offset + file.bytes), { mode: 0o600, flag: 'wx' });
          offset += file.bytes;
        }
      } catch (error) {
        throw new Refusal(`no writable cache directory: cannot write the agent in ${root} (${codeOf(error)})`);
      }
      if (!holdsBundle(temporary)) {
        fs.rmSync(temporary, { recursive: true, force: true });
        throw new Refusal(`hash mismatch after upload: what was written in ${root} does not hash to ${params.hash}`);
      }
      // another upload (a second box of the same user) may have put it in place meanwhile
      if (!holdsBundle(dir)) {
        const old = `${temporary}.old`;
        if (exists(dir)) fs.renameSync(dir, old);
        fs.rmSync(old, { recursive: true, force: true });
        try {
          fs.renameSync(temporary, dir);
        } catch {
          // another upload's rename came first: the check below decides
        }
      }
      fs.rmSync(temporary, { recursive: true, force: true });
      say({ boot: 'stored' });
    }
    // checked again right before it runs: what runs is what hashed right
    if (!holdsBundle(dir)) throw new Refusal(`hash mismatch: the agent in ${dir} does not hash to ${params.hash}`);
    say({ boot: 'run' });
    await import(pathToFileURL(path.join(dir, params.entry)).href);
  } catch (error) {
    const message = error instanceof Refusal ? error.message : `the boot stage failed: ${(error as Error).message}`;
    say({ boot: 'error', message }, () => process.exit(1));
  }
}
