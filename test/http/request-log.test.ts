/** The --log part files: written through no symbolic link, appended to by a later run, joined whole or removed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_HEADER, joinParts, partPath, removeParts, RequestLog } from '../../engine/http/request-log.js';

test('a symbolic link planted at a part file is refused, and what it points at is untouched', () => {
  const folder = mkdtempSync(join(tmpdir(), 'stress-request-log-'));
  try {
    const victim = join(folder, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const part = partPath(join(folder, 'run.csv'), 0);
    symlinkSync(victim, part);
    assert.throws(() => new RequestLog(part), /ELOOP/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a part file that exists is appended to (a --refine run adds its rows after the ramp)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'stress-request-log-'));
  try {
    const part = partPath(join(folder, 'run.csv'), 0);
    for (let run = 0; run < 2; run++) {
      const log = new RequestLog(part);
      log.row(200, 5, 1, 1.5, 2, null);
      log.close();
    }
    assert.equal(readFileSync(part, 'utf8').trim().split('\n').length, 2);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the parts are joined into a table written next to it and renamed into place; removeParts leaves nothing either', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'stress-request-log-'));
  try {
    const path = join(folder, 'run.csv');
    writeFileSync(path, 'the previous run\n');
    for (const worker of [0, 1]) writeFileSync(partPath(path, worker), `200,5,1.000,${worker}.000,1.000,\n`);
    assert.equal(await joinParts(path, 2), 2);
    assert.deepEqual(readdirSync(folder), ['run.csv'], 'no part and no temporary file left');
    assert.equal(readFileSync(path, 'utf8'), `${CSV_HEADER}\n1,200,5,1.000,0.000,1.000,\n2,200,5,1.000,1.000,1.000,\n`);
    // a join cut short (the process quit) leaves a temporary table beside the parts: removed with them
    for (const worker of [0, 1]) writeFileSync(partPath(path, worker), 'row\n');
    writeFileSync(`${path}.${process.pid}.tmp`, `${CSV_HEADER}\n1,row\n`);
    removeParts(path, 2);
    assert.deepEqual(readdirSync(folder), ['run.csv']);
    // a link planted at the temporary name is not written through
    const victim = join(folder, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    await assert.rejects(joinParts(path, 1), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
