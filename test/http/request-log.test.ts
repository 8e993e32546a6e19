/** The --log part files: written through no symbolic link, appended to by a later run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partPath, RequestLog } from '../../engine/http/request-log.js';

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
