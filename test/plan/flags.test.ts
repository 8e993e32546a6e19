/**
 * The flag table drives the command line, --help and profiles; these tests walk the table so a
 * flag added to it is checked everywhere without a new test.
 */
import type { TargetsFile } from '../../engine/plan/targets-plan.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, UsageError } from '../../engine/plan/cli.js';
import { camelName, defaultText, FLAGS, helpText, type ProfileType } from '../../engine/plan/flags.js';
import { validateProfile } from '../../engine/plan/profile.js';

const oneLine = (text: string) => text.replace(/\s+/g, ' ');
const CPUS = 3;

test('--help shows every flag of the table: alias, name, text, default and type', async () => {
  const outcome = await parseCommandLine(['--help'], CPUS);
  if (outcome.kind !== 'help') return assert.fail('help');
  const help = oneLine(outcome.text);
  for (const flag of FLAGS) {
    const text = oneLine(helpText(flag, { cpuCount: CPUS }));
    const type = flag.type === 'boolean' ? 'boolean' : flag.greedy ? 'array' : 'string';
    const name = flag.positional ? flag.name : `${flag.alias ? `-${flag.alias}, ` : ''}--${flag.name}`;
    assert.ok(help.includes(`${name} ${text} [${type}]`), `--help shows ${name}: ${text} [${type}]`);
    const shown = defaultText(flag, { cpuCount: CPUS });
    if (shown !== undefined) assert.ok(help.includes(`[default: ${shown}]`), `--${flag.name} shows its default ${shown}`);
  }
  assert.ok(
    help.includes(`[default: one per 10,000 req/s of the highest rate, at most ${CPUS} (one per CPU core); closed loop: ${CPUS}]`),
    "the worker default is sized to the rate, within the machine's core count",
  );
  const listed = [...outcome.text.matchAll(/^ {2}(?:-\w, | {4})--([a-z][a-z0-9-]*) /gm)].map((match) => match[1]);
  const declared = [...FLAGS.filter((flag) => !flag.positional).map((flag) => flag.name), 'help', 'version'];
  assert.deepEqual(listed.sort(), declared.sort(), 'every flag in --help is in the table');
});

const SAMPLE: Record<ProfileType, unknown> = { string: 'x', number: 1, boolean: true, 'string[]': ['x'] };
const ALL_TYPES: ProfileType[] = ['string', 'number', 'boolean', 'string[]'];

test('a profile holds every flag marked for profiles, in each JSON type listed, and nothing else', () => {
  for (const flag of FLAGS) {
    if (!flag.profile) {
      assert.throws(
        () => validateProfile({ [flag.name]: 'x' }, 'p.json'),
        (error: Error) => error instanceof UsageError && error.message.includes(`"${flag.name}" is unknown`),
      );
      continue;
    }
    for (const type of flag.profile) {
      const values = validateProfile({ [flag.name]: SAMPLE[type] }, 'p.json');
      assert.deepEqual(values, { [flag.name]: type === 'number' ? '1' : SAMPLE[type] }, `${flag.name} as ${type}`);
    }
    for (const type of ALL_TYPES.filter((type) => !flag.profile!.includes(type))) {
      assert.throws(
        () => validateProfile({ [flag.name]: SAMPLE[type] }, 'p.json'),
        new RegExp(`"${flag.name}" must be ${flag.profile.join(' or ').replace(/[[\]]/g, '\\$&')}, not`),
      );
    }
  }
  assert.deepEqual(validateProfile({ description: 'a note' }, 'p.json'), {}, 'a description is allowed, and is not a flag');
  const others = [
    'colour',
    'help',
    'version',
    ...FLAGS.filter((flag) => flag.alias).map((flag) => flag.alias!),
    ...FLAGS.map((flag) => camelName(flag.name)).filter((key) => !FLAGS.some((flag) => flag.name === key)),
  ];
  for (const key of others) assert.throws(() => validateProfile({ [key]: 'x' }, 'p.json'), new RegExp(`"${key}" is unknown`), key);
});

test('every flag reaches the raw options under its camelCase key, typed by the table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stress-flags-'));
  const profile = join(dir, 'empty.json');
  writeFileSync(profile, '{}');
  const argv: string[] = [];
  for (const flag of FLAGS) {
    if (flag.positional) argv.push('http://127.0.0.1:1/');
    else if (flag.type === 'boolean') argv.push(`--${flag.name}`);
    else argv.push(`--${flag.name}=${flag.name === 'profile' ? profile : join(dir, `${flag.name}-value`)}`);
  }
  const outcome = await parseCommandLine(argv, CPUS);
  if (outcome.kind !== 'run') return assert.fail('run');
  const options: Record<string, unknown> = { ...outcome.options };
  assert.deepEqual(Object.keys(options).sort(), FLAGS.map((flag) => camelName(flag.name)).sort());
  for (const flag of FLAGS) {
    const value = options[camelName(flag.name)];
    if (flag.type === 'boolean') assert.equal(value, true, flag.name);
    else if (flag.type === 'strings') assert.deepEqual(value, [join(dir, `${flag.name}-value`)], flag.name);
    else if (flag.kind === 'bytes-file' || flag.kind === 'text-file')
      assert.deepEqual(value, { path: join(dir, `${flag.name}-value`), content: null }, flag.name);
    else if (flag.kind === 'unix-socket') assert.deepEqual(value, { path: join(dir, `${flag.name}-value`), found: 'missing' }, flag.name);
    else if (flag.kind === 'targets-file')
      assert.deepEqual(
        { ...(value as TargetsFile), bodies: { ...(value as TargetsFile).bodies } },
        { path: join(dir, `${flag.name}-value`), content: null, bodies: {} },
        flag.name,
      );
    else assert.equal(typeof value, 'string', flag.name);
  }
});

test('a single-value flag given twice or empty is refused, naming it', async () => {
  for (const flag of FLAGS) {
    if (flag.type !== 'string' || flag.positional) continue;
    await assert.rejects(
      parseCommandLine([`--${flag.name}`, 'a', `--${flag.name}`, 'b'], CPUS),
      usageError(`--${flag.name} was given more than once`),
    );
    const empty = parseCommandLine([`--${flag.name}=`], CPUS);
    if (flag.emptyOk) {
      const outcome = await empty;
      const options: Record<string, unknown> = outcome.kind === 'run' ? { ...outcome.options } : {};
      assert.equal(options[camelName(flag.name)], '', `--${flag.name} '' is a value`);
    } else {
      await assert.rejects(empty, usageError(`--${flag.name} needs ${flag.kind === 'output-file' ? 'a file name' : 'a value'}`));
    }
  }
});

function usageError(message: string) {
  return (error: unknown) => error instanceof UsageError && error.message === message;
}
