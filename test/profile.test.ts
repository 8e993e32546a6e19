import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../engine/cli.js';
import { buildPlan } from '../engine/plan.js';

const PROFILES = fileURLToPath(new URL('../../bench-profiles/', import.meta.url));

test('the shipped profiles load and validate', async () => {
  for (const name of ['stress.json', 'load.json']) {
    const outcome = await parseCommandLine(['--profile', join(PROFILES, name)], 2);
    assert.equal(outcome.kind, 'run');
    if (outcome.kind === 'run') buildPlan(outcome.options, 2);
  }
});

test('a profile holds a whole ramp; flags on the command line win', async () => {
  const outcome = await parseCommandLine(['--profile', join(PROFILES, 'stress.json'), '--step', '2s', 'http://127.0.0.1:9/x'], 2);
  assert.equal(outcome.kind, 'run');
  if (outcome.kind !== 'run') return;
  const plan = buildPlan(outcome.options, 2);
  assert.equal(plan.mode, 'ramp');
  assert.equal(plan.url, 'http://127.0.0.1:9/x');
  assert.equal(plan.ramp!.stepMs, 2000);
  assert.equal(plan.ramp!.rates.length, 10);
  assert.equal(plan.ramp!.sloP99Ms, 100);
  assert.equal(plan.ramp!.refine, true);
});

test('every problem in a profile is reported at once, each naming its field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stress-profile-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ rate: 10, colour: 'red', clients: true, header: [1] }));
  await assert.rejects(parseCommandLine(['--profile', bad], 2), (error: Error) =>
    /"colour" is unknown/.test(error.message) && /"clients" must be string or number/.test(error.message) && /"header" must be string\[\]/.test(error.message));
  writeFileSync(bad, '{ not json');
  await assert.rejects(parseCommandLine(['--profile', bad], 2), /is not valid JSON/);
  await assert.rejects(parseCommandLine(['--profile', join(dir, 'missing.json')], 2), /cannot read/);
});
