/** npm test's two passes: which compiled test files may run side by side, and which must run alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PURE_HELPERS, splitByIsolation, startsSomething } from '../../scripts/run-tests.js';

test('a file that imports a test helper or a module that starts processes, sockets or threads runs alone; the rest side by side', () => {
  const rows: Array<[string, 'pure' | 'alone']> = [
    ["import { parseRate } from '../../common/units.js';", 'pure'],
    ["import { test } from 'node:test';\nimport assert from 'node:assert/strict';", 'pure'],
    ["import { readFileSync } from 'node:fs';", 'pure'],
    ["import { spawnTarget } from '../helpers/spawn-target.js';", 'alone'],
    ['import { startSshLab } from "../helpers/sshd.js";', 'alone'],
    ["import { runStress } from './helpers/stress-cli.js';", 'alone'],
    ["import { seededRandom } from '../helpers/seeded-random.js';", 'pure'],
    ["import { seededRandom } from '../helpers/seeded-random.js';\nimport { spawnTarget } from '../helpers/spawn-target.js';", 'alone'],
    ["import { spawn } from 'node:child_process';", 'alone'],
    ["import net from 'node:net';", 'alone'],
    ["import http from 'node:http';", 'alone'],
    ["import { connect } from 'node:tls';", 'alone'],
    ["import { Worker } from 'node:worker_threads';", 'alone'],
    // a word in a string or a comment is not an import
    ["// starts nothing: node:net is only named here\nconst x = 'net';", 'pure'],
  ];
  const files = rows.map(([code], index) => ({ path: `f${index}.test.js`, code }));
  const { pure, alone } = splitByIsolation(files);
  for (const [index, [code, expected]] of rows.entries())
    assert.equal(pure.includes(`f${index}.test.js`) ? 'pure' : alone.includes(`f${index}.test.js`) ? 'alone' : 'lost', expected, code);
  assert.equal(pure.length + alone.length, rows.length, 'every file in one pass');
});

test('the helpers a file may import and still run side by side start nothing themselves', () => {
  for (const helper of PURE_HELPERS) {
    const code = readFileSync(new URL(`../helpers/${helper}.js`, import.meta.url), 'utf8');
    assert.equal(startsSomething(code), false, `helpers/${helper} imports something that starts processes, sockets or threads`);
  }
});
