/**
 * The files a run will write, checked before any load is sent: a run may last hours, and finding
 * out at its end that `--out` points into a missing folder loses it. Reports are written to a
 * temporary file first and renamed, so an interrupt or a full disk never leaves a cut-off report
 * where a whole one was.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface OutputPath {
  /** the flag that names it, for the message */
  flag: string;
  path: string | null;
}

/** Why `path` cannot be written, or null when it can (it is not created here). */
function unwritable(path: string): string | null {
  const folder = dirname(resolve(path));
  try {
    if (!statSync(folder).isDirectory()) return `"${folder}" is not a folder`;
  } catch {
    return `the folder "${folder}" does not exist`;
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return `the folder "${folder}" is not writable`;
  }
  try {
    const existing = statSync(path);
    if (existing.isDirectory()) return 'it is a folder';
    accessSync(path, constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return 'the file is not writable';
  }
  return null;
}

/**
 * One line for each output that cannot be written, or that is an input of the same command or
 * another output (the second would overwrite the first, or the run its own input).
 */
export function outputProblems(outputs: readonly OutputPath[], inputs: readonly string[] = []): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>(inputs.map((input) => [resolve(input), 'the input']));
  for (const { flag, path } of outputs) {
    if (path === null) continue;
    const why = unwritable(path);
    if (why !== null) problems.push(`${flag}: cannot write "${path}": ${why}`);
    const earlier = seen.get(resolve(path));
    if (earlier !== undefined) problems.push(`${flag}: "${path}" is also ${earlier}; give another file`);
    seen.set(resolve(path), flag);
  }
  return problems;
}

/** Writes `content` next to `path` and renames it into place: readers see the old file or the whole new one. */
export async function writeFileWhole(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
