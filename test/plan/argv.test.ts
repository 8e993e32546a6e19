/** The command line's grammar, word by word: a table, no process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from '../../engine/plan/argv.js';
import { UsageError } from '../../engine/plan/usage-error.js';

test('words into values: long names, =, aliases, switches, repeatable and greedy flags, positionals', () => {
  const table: Array<{ argv: string[]; values: Record<string, unknown>; positionals?: string[] }> = [
    { argv: ['--rate', '2k'], values: { rate: '2k' } },
    { argv: ['--rate=2k'], values: { rate: '2k' } },
    { argv: ['--body='], values: { body: '' } },
    { argv: ['--body=a=b'], values: { body: 'a=b' } },
    { argv: ['-d', '5s', '-X', 'POST'], values: { duration: '5s', method: 'POST' } },
    { argv: ['-d=5s'], values: { duration: '5s' } },
    { argv: ['--json', '-q'], values: { json: true, quiet: true } },
    { argv: ['--no-stop-on-break'], values: { 'stop-on-break': false } },
    { argv: ['--refine=false', '--json=true'], values: { refine: false, json: true } },
    // a value that looks like a negative number is a value; the plan refuses it as a rate
    { argv: ['--rate', '-5'], values: { rate: '-5' } },
    { argv: ['--timeout=-1s'], values: { timeout: '-1s' } },
    // no value before the next flag, or at the end: given none ("needs a value" is the caller's)
    { argv: ['--rate', '--json'], values: { rate: '', json: true } },
    { argv: ['--out'], values: { out: '' } },
    { argv: ['--fail-on', 'p99<5ms', '--fail-on', 'errors<1%'], values: { 'fail-on': ['p99<5ms', 'errors<1%'] } },
    // -H takes every word up to the next flag; --fail-on takes one, the next word is the URL
    { argv: ['-H', 'A: b', 'C: d', '--json'], values: { header: ['A: b', 'C: d'], json: true } },
    { argv: ['-H', 'A: b', '-H', 'C: d'], values: { header: ['A: b', 'C: d'] } },
    { argv: ['--fail-on', 'p99<5ms', 'http://h/'], values: { 'fail-on': ['p99<5ms'] }, positionals: ['http://h/'] },
    { argv: ['http://h/', '--rate', '5', 'extra'], values: { rate: '5' }, positionals: ['http://h/', 'extra'] },
    { argv: ['--rate', '5', '--', '--json'], values: { rate: '5' }, positionals: ['--json'] },
    { argv: ['-'], values: {}, positionals: ['-'] },
    // --dashboard's value is optional: alone, before a flag, or before a URL it is given none
    { argv: ['--dashboard'], values: { dashboard: '' } },
    { argv: ['--dashboard', '--json'], values: { dashboard: '', json: true } },
    { argv: ['--dashboard', 'http://h/'], values: { dashboard: '' }, positionals: ['http://h/'] },
    { argv: ['--dashboard', ':8080', 'http://h/'], values: { dashboard: ':8080' }, positionals: ['http://h/'] },
    { argv: ['--dashboard=[::1]:0'], values: { dashboard: '[::1]:0' } },
    { argv: ['-h'], values: { help: true } },
    { argv: ['--version'], values: { version: true } },
  ];
  for (const row of table) {
    const parsed = parseArgv(row.argv);
    assert.deepEqual({ ...parsed.values }, row.values, row.argv.join(' '));
    assert.deepEqual(parsed.positionals, row.positionals ?? [], `${row.argv.join(' ')}: positionals`);
  }
});

test('malformed words: one line each, naming the word', () => {
  const table: Array<{ argv: string[]; says: RegExp }> = [
    { argv: ['--frobnicate'], says: /^Unknown argument: frobnicate$/ },
    { argv: ['-Z', '1'], says: /^Unknown argument: Z$/ },
    { argv: ['--no-rate'], says: /^Unknown argument: no-rate$/ },
    { argv: ['--maxLag', '5ms'], says: /^Unknown argument: maxLag$/ },
    { argv: ['--rate', '1', '--rate', '2'], says: /^--rate was given more than once$/ },
    { argv: ['--json=yes'], says: /^--json is a switch: give it alone \(or --no-json\), not "=yes"$/ },
  ];
  for (const row of table)
    assert.throws(
      () => parseArgv(row.argv),
      (error: unknown) => error instanceof UsageError && row.says.test(error.message),
      row.argv.join(' '),
    );
});

test('an inherited name is no flag', () => {
  assert.throws(() => parseArgv(['--toString']), /Unknown argument: toString/);
  assert.throws(() => parseArgv(['--__proto__', 'x']), /Unknown argument: __proto__/);
});
