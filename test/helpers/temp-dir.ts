/** A temporary folder for a file's tests (the files a run writes, a profile it reads), removed after the last. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** Makes the folder now (`stress-<name>-XXXXXX` in the system's temporary folder) and registers its removal. */
export async function tempDirForFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `stress-${name}-`));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
