/** --max-body: the size unit, the plan and the command line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../engine/plan/cli.js';
import { buildPlan, PlanError } from '../../engine/plan/plan.js';
import { parseBytes, UnitError } from '../../common/units.js';

test('sizes: bytes, SI and binary units; bad forms name the value', () => {
  const table: Array<[string, number]> = [
    ['0', 0],
    ['65536', 65536],
    ['512B', 512],
    ['64KiB', 65536],
    ['10MB', 10_000_000],
    ['1.5MiB', 1_572_864],
    ['2gb', 2e9],
    ['1 GiB', 2 ** 30],
  ];
  for (const [text, bytes] of table) assert.equal(parseBytes(text), bytes, text);
  for (const bad of ['', 'big', '-1', '10k', '1m', '0.5B', '1e3', '10 MB MB']) {
    assert.throws(
      () => parseBytes(bad, '--max-body'),
      (error: Error) => error instanceof UnitError && error.message.startsWith('--max-body:'),
      bad,
    );
  }
});

test('the plan carries the limit, null without the flag, and reports a bad one with the others', async () => {
  assert.equal(buildPlan({}, 2).maxBodyBytes, null);
  assert.equal(buildPlan({ maxBody: '1MiB' }, 2).maxBodyBytes, 1_048_576);
  assert.throws(
    () => buildPlan({ maxBody: 'lots', rate: '0' }, 2),
    (error: Error) =>
      error instanceof PlanError && error.problems.length === 2 && error.problems.some((p) => p.startsWith('--max-body: "lots"')),
  );
  const outcome = await parseCommandLine(['http://127.0.0.1:1/', '--max-body', '64KiB'], 2);
  assert.equal(outcome.kind === 'run' && outcome.options.maxBody, '64KiB');
  await assert.rejects(parseCommandLine(['--max-body', '1', '--max-body', '2'], 2), /more than once/);
});
