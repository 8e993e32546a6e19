/**
 * `npm test`'s runner: the suite in two passes of Node's test runner, one after the other.
 *
 * The first pass takes the files that touch no process, socket or thread of their own (pure
 * table tests: parsing, verdicts, merging, the flag table...) and runs two at a time, one per
 * core. The second runs every other file alone, in turn: those start targets, load boxes, nginx
 * and Chromium and hold timing bounds, so nothing else may share the machine's two cores with
 * them. The passes never overlap, so the second is exactly as quiet as a whole serial run was.
 *
 * A file is pure when its compiled code imports none of the test helpers that start things and
 * none of Node's modules that do. Either pass failing fails the suite; both always run, so one
 * run reports every failure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TESTS = fileURLToPath(new URL('../test/', import.meta.url));

/** Node's modules that start processes, sockets or threads: a file that imports one runs in the serial pass. */
const STARTING_MODULE = /['"]node:(?:child_process|net|http|https|http2|tls|dgram|worker_threads|cluster)['"]/;

/** A test helper imported (its name): helpers start targets, load boxes and servers, so a file that imports one runs alone... */
const HELPER_IMPORT = /from ['"](?:\.\.?\/)+helpers\/([\w-]+)\.js['"]/g;

/** ...except these, which start nothing (a seeded random, saved fixtures, the parser fed by hand); the runner's test holds them to it. */
export const PURE_HELPERS: readonly string[] = ['seeded-random', 'fixtures', 'parser-runs'];

/** Whether compiled code imports anything that starts something of its own. */
export function startsSomething(code: string): boolean {
  if (STARTING_MODULE.test(code)) return true;
  for (const [, helper] of code.matchAll(HELPER_IMPORT)) if (!PURE_HELPERS.includes(helper!)) return true;
  return false;
}

/** Every compiled test file below `dir`, in a stable order. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

/** Splits the files into those that may run side by side and those that must run alone. Pure. */
export function splitByIsolation(files: ReadonlyArray<{ path: string; code: string }>): { pure: string[]; alone: string[] } {
  const pure: string[] = [];
  const alone: string[] = [];
  for (const file of files) (startsSomething(file.code) ? alone : pure).push(file.path);
  return { pure, alone };
}

function runPass(files: readonly string[], concurrency: number): number {
  if (files.length === 0) return 0;
  const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
  return result.status ?? 1;
}

function main(): number {
  const files = testFiles(TESTS).map((path) => ({ path: relative(process.cwd(), path), code: readFileSync(path, 'utf8') }));
  const { pure, alone } = splitByIsolation(files);
  process.stdout.write(`# ${pure.length} files of pure tests, two at a time; then ${alone.length} files, one at a time\n`);
  const first = runPass(pure, 2);
  const second = runPass(alone, 1);
  return first !== 0 ? first : second;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main());
