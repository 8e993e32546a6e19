/**
 * The boot command's pure parts: the command itself (one line any login shell passes to sh
 * unchanged), what its version line means, the boot stage's reports as the controller checks
 * them, and the boot stage sent as one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { BOOT_COMMAND, judgeVersionLine } from '../../engine/remote/ship/boot-command.js';
import { checkStageReport } from '../../engine/remote/ship/boot-exchange.js';
import { stageLine } from '../../engine/remote/ship/box-stage.js';
import { bundleDigest } from '../../engine/remote/ship/bundle-digest.js';

test('the boot command is one line with nothing a login shell would read inside its quotes', () => {
  const match = /^exec \/bin\/sh -c '([^']*)'$/.exec(BOOT_COMMAND);
  assert.ok(match, BOOT_COMMAND);
  // fish reads \\ and \' inside single quotes, csh reads ! and breaks on a newline
  assert.doesNotMatch(match[1]!, /[\\!\n\r]/);
});

test('the boot command, run by sh, answers with the version line and runs the line it is given with node', () => {
  const shell = BOOT_COMMAND.replace(/^exec /, '');
  const sh = spawnSync('/bin/sh', ['-c', shell], { input: 'process.stdout.write("ran " + typeof require)\nnot read\n', encoding: 'utf8' });
  const [first, second] = sh.stdout.split('\n');
  const verdict = judgeVersionLine(first!);
  assert.deepEqual(verdict, { kind: 'node', version: process.version }, sh.stdout + sh.stderr);
  assert.equal(second, 'ran function');
});

test('the version line: a node to boot, or one line saying why the box cannot run the agent', () => {
  const table: Array<[string, ReturnType<typeof judgeVersionLine>]> = [
    ['stress-boot: node 0 v20.19.0', { kind: 'node', version: 'v20.19.0' }],
    ['stress-boot: node 0 v24.1.0', { kind: 'node', version: 'v24.1.0' }],
    ['stress-boot: node 0 v19.9.0', { kind: 'unusable', problem: 'node v19.9.0 is too old: the shipped agent needs node 20 or newer' }],
    ['stress-boot: node 0 v8.17.0', { kind: 'unusable', problem: 'node v8.17.0 is too old: the shipped agent needs node 20 or newer' }],
    ['stress-boot: node 127 sh: 1: node: not found', { kind: 'unusable', problem: 'no node on its PATH (sh: 1: node: not found)' }],
    ['stress-boot: node 127', { kind: 'unusable', problem: 'no node on its PATH (command not found)' }],
    [
      'stress-boot: node 126 sh: node: Permission denied',
      { kind: 'unusable', problem: 'node --version failed (exit 126: sh: node: Permission denied)' },
    ],
    ['stress-boot: node 0 hello', { kind: 'unusable', problem: 'node --version said "hello", not a version' }],
    ['stress-boot: node 0 v20', { kind: 'unusable', problem: 'node --version said "v20", not a version' }],
    ['Welcome to box1', { kind: 'other' }],
    ['stress-boot: node x v20.0.0', { kind: 'other' }],
  ];
  for (const [line, verdict] of table) assert.deepEqual(judgeVersionLine(line), verdict, line);
});

test("the boot stage's reports are checked before they are acted on", () => {
  const table: Array<[string, ReturnType<typeof checkStageReport>]> = [
    [
      '{"boot":"cache","state":"hit","dir":"/h/.cache/stress/agents/ab"}',
      { boot: 'cache', state: 'hit', dir: '/h/.cache/stress/agents/ab' },
    ],
    ['{"boot":"cache","state":"mismatch","dir":"/d"}', { boot: 'cache', state: 'mismatch', dir: '/d' }],
    ['{"boot":"stored"}', { boot: 'stored' }],
    ['{"boot":"run"}', { boot: 'run' }],
    ['{"boot":"error","message":"no writable cache directory"}', { boot: 'error', message: 'no writable cache directory' }],
    ['{"boot":"cache","state":"maybe","dir":"/d"}', 'cache state "maybe"'],
    ['{"boot":"cache","state":"hit"}', 'a cache report without its directory'],
    ['{"boot":"error"}', 'a boot error without a message'],
    ['{"boot":"launch"}', 'unknown boot report "launch"'],
    ['{"type":"hello"}', '"{\\"type\\":\\"hello\\"}" is not a boot report'],
    ['null', '"null" is not a boot report'],
    ['Welcome', '"Welcome" is not a boot report'],
  ];
  for (const [line, report] of table) assert.deepEqual(checkStageReport(line), report, line);
});

test('the boot stage goes to the box as one line that node evaluates', () => {
  const files = [{ name: 'agent.mjs', data: Buffer.from('x') }];
  const line = stageLine(
    { hash: bundleDigest(createHash, files), files: [{ name: 'agent.mjs', bytes: 1 }], entry: 'agent.mjs' },
    bundleDigest,
  );
  assert.doesNotMatch(line, /[\n\r]/);
  // it parses as JavaScript (not run: it would look for the cache)
  assert.doesNotThrow(() => new Function(JSON.parse(line.slice('eval('.length, -1)) as string));
});

test('the digest takes each file as its name, length and bytes: moving bytes between files changes it', () => {
  const digest = (...files: Array<[string, string]>) =>
    bundleDigest(
      createHash,
      files.map(([name, data]) => ({ name, data: Buffer.from(data) })),
    );
  const base = digest(['a', 'xy'], ['b', 'z']);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(digest(['a', 'xy'], ['b', 'z']), base);
  assert.notEqual(digest(['a', 'x'], ['b', 'yz']), base);
  assert.notEqual(digest(['b', 'z'], ['a', 'xy']), base, 'the order is part of it');
  assert.notEqual(digest(['a', 'xy'], ['c', 'z']), base, 'so are the names');
});
