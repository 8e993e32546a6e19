/**
 * The README's --log back-pressure, end to end: "at a rate the disk cannot take, the generator
 * waits (and its scheduler lag says so) rather than holding rows in memory". The worker's part of
 * the log is a named pipe (test hook) that the test leaves unread for 3 s: once the pipe is full,
 * the worker must wait for it, and its scheduler lag must show the wait. Then the test reads
 * every row, and hands them back when the run joins its parts, so the table is whole.
 */
import assert from 'node:assert/strict';
import { constants, createReadStream, openSync, closeSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { useTarget } from '../helpers/spawn-target.js';
import { runStress } from '../helpers/stress-cli.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const HOOK = new URL('../helpers/log-fifo-hook.js', import.meta.url).href;
/** How long the "disk" takes nothing, from the moment the worker opened its part. */
const STUCK_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = await tempDirForFile('log-pressure');
const fixture = useTarget();

async function until(what: string, done: () => boolean, limitMs = 20_000): Promise<void> {
  for (const end = Date.now() + limitMs; !done(); await sleep(20)) if (Date.now() > end) throw new Error(`waited in vain: ${what}`);
}

const isPipe = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFIFO() === true;

/** Writes `rows` into the pipe once the run's join opens it to read (a non-blocking open for writing succeeds only then). */
async function handBack(path: string, rows: Buffer): Promise<void> {
  let probe = -1;
  await until('the join opening the part', () => {
    try {
      probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false;
      throw error;
    }
  });
  const writer = await open(path, constants.O_WRONLY);
  await writer.writeFile(rows);
  await writer.close();
  closeSync(probe);
}

test('--log on a disk that takes nothing for 3 s: the generator waits for it, and every row still reaches the table', async () => {
  const log = join(dir, 'requests.csv');
  const part = `${log}.part0`;
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim(), FIFO_HOOK_PATH: part };
  // ~45 bytes a row at 2,000 req/s: the pipe's 64 KiB and the worker's 64 KiB batch fill in under a second
  const args = [`${fixture.target.url}/hello`, '--rate', '2000', '--duration', '3s', '--warmup', '0', '--workers', '1'];
  const running = runStress([...args, '--log', log, '--json', '--quiet'], 60_000, undefined, { env });

  await until('the hook making the part a pipe', () => isPipe(part));
  // a small buffer: the test's own reading must not absorb what the disk would not
  const reader = createReadStream(part, { highWaterMark: 1024 });
  await new Promise((resolve) => reader.once('open', resolve));
  await sleep(STUCK_MS);
  const chunks: Buffer[] = [];
  for await (const chunk of reader) chunks.push(chunk as Buffer);
  const rows = Buffer.concat(chunks);
  await handBack(part, rows);

  const run = await running;
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  const lines = rows.toString('utf8').trimEnd().split('\n');
  assert.equal(lines.length, summary.totals.requests, 'the worker wrote one row per request into its part');
  // the worker blocked on the full pipe from about a second after it opened it until the test read
  // it, 3 s after (788 ms of lag with a stop after 2 s): its requests left late
  assert.ok(summary.schedulerLagMs.max! >= 500, `scheduler lag max ${summary.schedulerLagMs.max} ms: the generator waited for the disk`);
  const table = (await readFile(log, 'utf8')).trimEnd().split('\n');
  assert.equal(table.length, 1 + summary.totals.requests, 'the header and every row, joined');
});
