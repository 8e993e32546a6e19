import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../../engine/plan/cli.js';
import { buildPlan, PlanError, type Plan } from '../../engine/plan/plan.js';
import { UsageError } from '../../engine/plan/cli.js';

const PROFILES = fileURLToPath(new URL('../../../bench-profiles/', import.meta.url));

test('the shipped profiles load and validate', async () => {
  const plans: Record<string, Plan> = {};
  for (const name of ['load', 'stress', 'endurance', 'smoke']) {
    const outcome = await parseCommandLine(['--profile', join(PROFILES, `${name}.json`)], 2);
    assert.equal(outcome.kind, 'run');
    if (outcome.kind === 'run') plans[name] = buildPlan(outcome.options, 2);
  }
  // the original's three tests, and a smoke test
  assert.equal(plans.load!.mode, 'clients');
  assert.equal(plans.load!.clients, 10);
  assert.equal(plans.stress!.mode, 'ramp');
  assert.equal(plans.endurance!.durationMs, 900_000);
  assert.equal(plans.endurance!.intervalMs, 250, '--endurance: 250 ms intervals');
  assert.ok(plans.endurance!.report.bundled?.pauseEveryMs === 300_000, 'bundled target knobs');
  assert.ok(plans.smoke!.durationMs! <= 5000, 'smoke is seconds long');
  assert.ok(plans.smoke!.report.failOn.length > 0, 'smoke has thresholds');
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
  await assert.rejects(
    parseCommandLine(['--profile', bad], 2),
    (error: Error) =>
      /"colour" is unknown/.test(error.message) &&
      /"clients" must be string or number/.test(error.message) &&
      /"header" must be string\[\]/.test(error.message),
  );
  writeFileSync(bad, '{ not json');
  await assert.rejects(parseCommandLine(['--profile', bad], 2), /is not valid JSON/);
  await assert.rejects(parseCommandLine(['--profile', join(dir, 'missing.json')], 2), /cannot read/);
});

test('report flags: bad thresholds, bad knobs, knobs with a URL and --endurance on a ramp are all reported at once', async () => {
  const outcome = await parseCommandLine(
    ['http://127.0.0.1:1/', '--ramp', '1:2', '--endurance', '--fail-on', 'p99<soon', '--fail-on', 'speed>1', '--bundled', 'latency=5ms'],
    2,
  );
  assert.equal(outcome.kind, 'run');
  if (outcome.kind !== 'run') return;
  assert.throws(
    () => buildPlan(outcome.options, 2),
    (error: unknown) => {
      assert.ok(error instanceof PlanError);
      const text = error.message;
      for (const expected of [
        /--fail-on p99/,
        /unknown metric "speed"/,
        /--bundled sets the bundled target/,
        /--endurance needs a steady load/,
      ])
        assert.match(text, expected);
      return true;
    },
  );
  const knobs = await parseCommandLine(['--bundled', 'latency=fast', '--bundled', 'colour=red'], 2);
  if (knobs.kind !== 'run') return assert.fail('parsed');
  assert.throws(
    () => buildPlan(knobs.options, 2),
    (error: unknown) => error instanceof PlanError && /colour=red/.test(error.message) && /--latency/.test(error.message),
  );
});

test('profile fields of the report flags are type-checked, naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stress-profile-'));
  const path = join(dir, 'bad.json');
  writeFileSync(path, JSON.stringify({ endurance: 'yes', bundled: 'latency=1ms', 'fail-on': 5 }));
  await assert.rejects(parseCommandLine(['--profile', path], 2), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    for (const field of ['"endurance"', '"bundled"', '"fail-on"']) assert.ok(error.message.includes(field), `${field} in ${error.message}`);
    return true;
  });
});
