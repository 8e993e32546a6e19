/**
 * `--log FILE.csv`: the original tool's per-request table, one row per measured request. Each
 * worker appends its rows to its own part file; the primary joins the parts and numbers the rows
 * at the end. Rows are batched and written synchronously: at a rate the disk cannot take, the
 * worker's event loop waits (and scheduler lag says so) instead of rows piling up in memory.
 */
import { closeSync, constants, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import type { ErrorClass } from '../measure/snapshot.js';

/** Rows are written once this many characters are waiting: memory per worker stays at this. */
const BATCH_CHARS = 64 * 1024;

export const CSV_HEADER = 'index,status,size_bytes,latency_ms,due_ms,service_ms,error';

const ms3 = (value: number): string => value.toFixed(3);

export class RequestLog {
  private fd: number | null;
  private pending = '';

  constructor(path: string) {
    // never through a symbolic link: a link planted at a part's name in a shared folder would
    // have the rows appended to whatever it points at (appending: a --refine run adds to its part)
    this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o600);
  }

  /** A request that ended: a response (status > 0) or a failure of `errorClass`. Times in ms since the start. */
  row(status: number, sizeBytes: number, dueMs: number, sentMs: number, doneMs: number, errorClass: ErrorClass | null): void {
    const answered = status > 0;
    const success = answered && errorClass === null;
    this.pending += `${answered ? status : ''},${sizeBytes},${success ? ms3(doneMs - dueMs) : ''},${ms3(dueMs)},${success ? ms3(doneMs - sentMs) : ''},${errorClass ?? ''}\n`;
    if (this.pending.length >= BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.fd === null || this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export function partPath(path: string, workerIndex: number): string {
  return `${path}.part${workerIndex}`;
}

/** Where the parts are joined before the table is renamed into place. */
function joiningPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/**
 * Joins the workers' parts into `path`, numbering the rows from 1, and removes the parts. Returns
 * the row count. The table is written next to `path` and renamed into place: a run stopped
 * while joining leaves no cut-off table where a whole one is expected.
 */
export async function joinParts(path: string, workers: number): Promise<number> {
  const joining = joiningPath(path);
  // exclusive: never through a link planted at the temporary name
  // node:fs/promises and node:readline loaded only to join a log (--log): the primary of every other run never needs them
  const { open, rename } = process.getBuiltinModule('node:fs/promises');
  const { createInterface } = process.getBuiltinModule('node:readline');
  const out = await open(joining, 'wx', 0o600);
  let index = 0;
  try {
    await out.write(`${CSV_HEADER}\n`);
    for (let worker = 0; worker < workers; worker++) {
      const part = partPath(path, worker);
      let batch = '';
      try {
        for await (const line of createInterface({ input: createReadStream(part, 'utf8'), crlfDelay: Infinity })) {
          if (line === '') continue;
          batch += `${++index},${line}\n`;
          if (batch.length >= BATCH_CHARS) {
            await out.write(batch);
            batch = '';
          }
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (batch !== '') await out.write(batch);
    }
    await out.close();
    await rename(joining, path);
  } catch (error) {
    await out.close().catch(() => undefined);
    rmSync(joining, { force: true });
    throw error;
  }
  removeParts(path, workers);
  return index;
}

/** Removes the workers' parts of `path`, and a table being joined from them: what a run that ends without its join leaves. */
export function removeParts(path: string, workers: number): void {
  for (let worker = 0; worker < workers; worker++) rmSync(partPath(path, worker), { force: true });
  rmSync(joiningPath(path), { force: true });
}
