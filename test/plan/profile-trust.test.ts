/**
 * Profiles are data, not code (issue 14, item 1): a profile is shared like a script, and opening
 * one must never start a process, reach another machine, read a local file or overwrite one. The
 * flags that can are marked in the table (flags.ts, `sensitive`); a profile that sets one is
 * refused with exit 2 unless the flag is given on the command line (which then wins) or the user
 * adds --trust-profile. These tests walk the whole table, so a new flag is checked without a new test.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, UsageError } from '../../engine/plan/cli.js';
import { FLAGS, type FlagSpec, type ProfileType } from '../../engine/plan/flags.js';
import { BOOT_COMMAND } from '../../engine/remote/ship/boot-command.js';
import { shellCommandLine } from '../../engine/remote/ssh.js';
import { runStress } from '../helpers/stress-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stress-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let profiles = 0;
function profileFile(content: Record<string, unknown>): string {
  const path = join(dir, `profile-${++profiles}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** A value of the flag's first profile type, naming a file in the test's folder where a path could go. */
function sampleValue(flag: FlagSpec): unknown {
  const type: ProfileType = flag.profile![0]!;
  const path = join(dir, `${flag.name}-value`);
  if (type === 'boolean') return true;
  if (type === 'number') return 1;
  if (type === 'string[]') return [path];
  return path;
}

test('the PoC: a profile whose ssh option runs a local command is refused, and the command never runs', async () => {
  const pwned = join(dir, 'PWNED');
  const profile = profileFile({ agents: 'x', 'ssh-option': [`ProxyCommand=sh -c 'id > ${pwned}'`], rate: 10, duration: '1s' });
  // nothing listens on port 9: were the load sent, it would fail at once
  const run = await runStress(['http://127.0.0.1:9/', '--profile', profile], 20_000);
  // ssh would have started the ProxyCommand at once; give a late one time to show
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(existsSync(pwned), false, 'the ProxyCommand did not run');
  assert.equal(run.code, 2, `exit 2; stderr: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  assert.match(lines[0]!, /"agents"/);
  assert.match(lines[0]!, /"ssh-option"/);
  assert.match(lines[0]!, /--trust-profile/);
  assert.doesNotMatch(run.stderr, /ssh /, 'no ssh command was announced: none ran');
  assert.equal(run.stdout, '');
});

test('with --trust-profile the same profile is taken, and the ssh command line is shown before it runs', async () => {
  const ran = join(dir, 'RAN');
  const proxy = `ProxyCommand=sh -c 'echo ran > ${ran}'`;
  const profile = profileFile({ agents: '127.0.0.1:9', 'ssh-option': [proxy], rate: 10, duration: '1s' });
  const run = await runStress(['http://127.0.0.1:9/', '--profile', profile, '--trust-profile', '--quiet'], 30_000);
  // the proxy ends at once without a word of ssh's protocol: the box fails, before any load
  assert.equal(run.code, 1, `exit 1; stderr: ${run.stderr}`);
  assert.equal(existsSync(ran), true, 'the trusted ProxyCommand ran');
  const lines = run.stderr.trim().split('\n');
  // even with --quiet: what is run on this machine is shown, quoted as a shell would take it
  assert.equal(
    lines[0],
    `stress: agent 127.0.0.1:9: ssh -T -o BatchMode=yes -o 'ProxyCommand=sh -c '\\''echo ran > ${ran}'\\''' -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -p 9 -- 127.0.0.1 ${shellCommandLine([BOOT_COMMAND])}`,
  );
  assert.match(lines.at(-1)!, /^stress: agent 127\.0\.0\.1:9: /);
});

test('the table marks every flag that reads or writes a file, or starts a process, as sensitive', () => {
  const fileKinds = new Set(['bytes-file', 'text-file', 'targets-file', 'output-file', 'unix-socket']);
  for (const flag of FLAGS) {
    const mentionsFiles = /\bfiles?\b|\bdisk\b/i.test(`${flag.name} ${flag.help}`);
    if (flag.kind !== undefined && fileKinds.has(flag.kind)) assert.ok(flag.sensitive, `--${flag.name} (${flag.kind}) is sensitive`);
    // a flag whose name or help speaks of files is taken for one that reads or writes them
    if (mentionsFiles && flag.profile) assert.ok(flag.sensitive, `--${flag.name} speaks of files: mark it sensitive`);
    // every flag of the load boxes that says what ssh does or reaches
    if (/ssh|agent|remote/.test(flag.name) && flag.type !== 'boolean') assert.equal(flag.sensitive, 'process', `--${flag.name}`);
  }
  const named = (kind: 'process' | 'file') =>
    FLAGS.filter((flag) => flag.sensitive === kind)
      .map((flag) => flag.name)
      .sort();
  // the list, so that unmarking one is a visible change here
  assert.deepEqual(named('process'), ['agents', 'agents-file', 'remote-command', 'ssh-option']);
  assert.deepEqual(named('file'), ['body-file', 'ca', 'cert', 'hdr-log', 'html', 'key', 'log', 'out', 'targets', 'unix-socket']);
});

test('every flag in a profile: a sensitive one is refused without --trust-profile and taken with it, the others are taken', async () => {
  for (const flag of FLAGS) {
    if (!flag.profile) continue;
    const profile = profileFile({ [flag.name]: sampleValue(flag) });
    if (flag.sensitive) {
      await assert.rejects(
        parseCommandLine(['--profile', profile], 2),
        (error: unknown) =>
          error instanceof UsageError && error.message.includes(`"${flag.name}"`) && error.message.includes('--trust-profile'),
        `--${flag.name} in a profile is refused`,
      );
    } else {
      const outcome = await parseCommandLine(['--profile', profile], 2);
      assert.equal(outcome.kind, 'run', `--${flag.name} in a profile is taken`);
    }
    // confirmed on the command line: taken as the profile says
    const trusted = await parseCommandLine(['--profile', profile, '--trust-profile'], 2);
    assert.equal(trusted.kind, 'run', `--${flag.name} with --trust-profile`);
  }
  // parsing created none of the files the profiles named
  for (const flag of FLAGS) assert.equal(existsSync(join(dir, `${flag.name}-value`)), false, flag.name);
});

test('every sensitive field is named in one refusal, and a flag given on the command line is the user’s own', async () => {
  const sensitive = FLAGS.filter((flag) => flag.sensitive && flag.profile);
  const profile = profileFile(Object.fromEntries(sensitive.map((flag) => [flag.name, sampleValue(flag)])));
  await assert.rejects(parseCommandLine(['--profile', profile], 2), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message.split('\n').length, 1, 'one line');
    for (const flag of sensitive) assert.ok(error.message.includes(`"${flag.name}"`), `names ${flag.name}: ${error.message}`);
    return true;
  });
  // the profile's --out is overridden by the command line: its value is never used, so not refused
  const outProfile = profileFile({ rate: 5, out: join(dir, 'elsewhere.json') });
  const mine = join(dir, 'mine.json');
  const outcome = await parseCommandLine(['--profile', outProfile, '--out', mine], 2);
  if (outcome.kind !== 'run') return assert.fail('run');
  assert.equal(outcome.options.out, mine);
  // --agents on the command line does not vouch for the profile's ssh options
  const sshProfile = profileFile({ 'ssh-option': ['ProxyCommand=nc %h %p'] });
  await assert.rejects(parseCommandLine(['--profile', sshProfile, '--agents', 'box1'], 2), /"ssh-option"/);
  const trusted = await parseCommandLine(['--profile', sshProfile, '--agents', 'box1', '--trust-profile'], 2);
  if (trusted.kind !== 'run') return assert.fail('run');
  assert.deepEqual(trusted.options.sshOption, ['ProxyCommand=nc %h %p']);
});

test('--trust-profile is a command-line flag only, and needs --profile', async () => {
  const profile = profileFile({ 'trust-profile': true, agents: 'box1' });
  await assert.rejects(parseCommandLine(['--profile', profile], 2), /"trust-profile" is unknown/);
  await assert.rejects(parseCommandLine(['--trust-profile', 'http://127.0.0.1:9/'], 2), /--trust-profile needs --profile/);
});

test('--help says which profile fields need --trust-profile', async () => {
  const outcome = await parseCommandLine(['--help'], 2);
  if (outcome.kind !== 'help') return assert.fail('help');
  const help = outcome.text.replace(/\s+/g, ' ');
  assert.match(help, /--trust-profile/);
  for (const flag of FLAGS.filter((flag) => flag.sensitive)) assert.ok(help.includes(`"${flag.name}"`), `--help names ${flag.name}`);
});
