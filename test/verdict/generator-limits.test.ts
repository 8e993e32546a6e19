import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatorWarning, readLocalLimits } from '../../engine/verdict/generator-limits.js';

const limits = { openFiles: 64, portRange: '32768\t60999' };

test('no generator failures, no warning', () => {
  assert.equal(generatorWarning(0, { ECONNREFUSED: 5 }, limits), null);
});

test('one line that names the limit and what to raise', () => {
  const table: Array<[Record<string, number>, RegExp]> = [
    [{ EMFILE: 10 }, /too many open files \(EMFILE\): raise `ulimit -n` \(now 64\)/],
    [{ ENFILE: 10 }, /fs\.file-max/],
    [{ EADDRNOTAVAIL: 10 }, /no free local port \(EADDRNOTAVAIL\): widen net\.ipv4\.ip_local_port_range \(now 32768-60999\)/],
    [{ ENOBUFS: 1 }, /memory for sockets/],
    [{ SOMETHING_NEW: 1 }, /see the error codes in the summary/],
  ];
  for (const [codes, says] of table) {
    const line = generatorWarning(10, codes, limits)!;
    assert.match(line, says);
    assert.match(line, /^stress: warning: 10 requests failed on this machine's own limits, not the target's: /);
    assert.equal(line.includes('\n'), false, 'one line');
  }
});

test('several causes share the line; unknown limits are simply not quoted', () => {
  const line = generatorWarning(1234, { ECONNREFUSED: 3, EMFILE: 1000, EADDRNOTAVAIL: 234 }, { openFiles: null, portRange: null })!;
  assert.match(line, /1,234 requests/);
  assert.match(line, /raise `ulimit -n` or lower --connections; no free local port/);
  assert.doesNotMatch(line, /now|ECONNREFUSED/);
});

test('the limits of this process are read from /proc', () => {
  const read = readLocalLimits();
  assert.ok(read.openFiles === null || read.openFiles > 0);
  if (process.platform === 'linux') {
    assert.ok(read.openFiles! > 0, 'Linux has /proc/self/limits');
    assert.match(read.portRange!, /^\d+\s+\d+$/);
  }
});
