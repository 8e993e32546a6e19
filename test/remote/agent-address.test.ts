/** Naming load boxes, and the ssh command line built for them: pure, table-driven. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentAddress, parseAgentList, parseAgentsFile } from '../../engine/remote/agent-address.js';
import { buildPlan, PlanError, type RawOptions } from '../../engine/plan/plan.js';
import { execFileSync } from 'node:child_process';
import { BOOT_COMMAND } from '../../engine/remote/ship/boot-command.js';
import { describeSshExit, shellCommandLine, sshArgv, sshOptionProblem } from '../../engine/remote/ssh.js';

test('[user@]host[:port]: what is accepted', () => {
  const table: Array<[string, { user: string | null; host: string; port: number | null }]> = [
    ['box1', { user: null, host: 'box1', port: null }],
    ['load@box1', { user: 'load', host: 'box1', port: null }],
    ['load@box1.example.com:2222', { user: 'load', host: 'box1.example.com', port: 2222 }],
    ['10.0.0.5:22', { user: null, host: '10.0.0.5', port: 22 }],
    ['[::1]:2200', { user: null, host: '::1', port: 2200 }],
    ['me@[fe80::1%eth0]', { user: 'me', host: 'fe80::1%eth0', port: null }],
    ['  spaced_box  ', { user: null, host: 'spaced_box', port: null }],
    ['first.last@box', { user: 'first.last', host: 'box', port: null }],
  ];
  for (const [text, expected] of table) {
    const parsed = parseAgentAddress(text);
    assert.ok(typeof parsed !== 'string', `${text}: ${String(parsed)}`);
    assert.deepEqual({ user: parsed.user, host: parsed.host, port: parsed.port }, expected, text);
    assert.equal(parsed.name, text.trim());
  }
});

test('[user@]host[:port]: what is refused, and why', () => {
  const table: Array<[string, RegExp]> = [
    ['', /empty/],
    ['-oProxyCommand=touch /tmp/x', /host .* may hold only/],
    ['-p', /not "-" first/],
    ['box;reboot', /may hold only/],
    ['box$(id)', /may hold only/],
    ['a b', /may hold only/],
    ['-l@box', /user "-l"/],
    ['us er@box', /user "us er"/],
    ['user@', /has no host/],
    ['box:0', /port "0"/],
    ['box:65536', /port "65536"/],
    ['box:22x', /port "22x"/],
    ['box:', /port ""/],
    ['::1', /IPv6 address in brackets/],
    ['[::1', /without "\]"/],
    ['[::1]x', /after "\]"/],
    ['[not-v6]:22', /not an IPv6 address/],
  ];
  for (const [text, reason] of table) {
    const parsed = parseAgentAddress(text);
    assert.equal(typeof parsed, 'string', `${text} must be refused`);
    assert.match(parsed as string, reason, text);
  }
});

test('a list reports every bad box at once, each named; a file reports line numbers and skips comments', () => {
  const list = parseAgentList('ok1, -bad ,ok2:22,x:99999');
  assert.deepEqual(
    list.agents.map((agent) => agent.name),
    ['ok1', 'ok2:22'],
  );
  assert.equal(list.problems.length, 2);
  assert.match(list.problems[0]!, /^--agents: "-bad" host/);
  assert.match(list.problems[1]!, /^--agents: "x:99999" port/);

  const file = parseAgentsFile('# load boxes\n\nload@box1\nbox2:2222   # the big one\n  \nbad box\n', 'boxes.txt');
  assert.deepEqual(
    file.agents.map((agent) => agent.name),
    ['load@box1', 'box2:2222'],
  );
  assert.deepEqual(file.problems.length, 1);
  assert.match(file.problems[0]!, /^--agents-file boxes\.txt line 6: "bad box"/);
  assert.match(parseAgentsFile('# nothing\n', 'empty.txt').problems[0]!, /names no load box/);
});

test("ssh argv: BatchMode first, the user's options before the defaults, -- before the host, the command as one word", () => {
  const agent = parseAgentAddress('load@box1:2222');
  assert.ok(typeof agent !== 'string');
  assert.deepEqual(sshArgv(agent, ['IdentityFile=/k', 'ConnectTimeout=3'], '/opt/stress/bin/stress agent'), [
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentityFile=/k',
    '-o',
    'ConnectTimeout=3',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-p',
    '2222',
    '-l',
    'load',
    '--',
    'box1',
    '/opt/stress/bin/stress agent',
  ]);
  const bare = parseAgentAddress('box2');
  assert.ok(typeof bare !== 'string');
  const argv = sshArgv(bare, [], BOOT_COMMAND);
  assert.ok(!argv.includes('-p') && !argv.includes('-l'), 'ssh (and ~/.ssh/config) choose port and user');
  assert.deepEqual(argv.slice(-3), ['--', 'box2', BOOT_COMMAND]);
});

test('the ssh command line shown before it runs is one printable line that a shell reads back as the very argv', () => {
  const agent = parseAgentAddress('load@box1:2222');
  assert.ok(typeof agent !== 'string');
  const argv = sshArgv(
    agent,
    ["ProxyCommand=sh -c 'id > PWNED'", 'User=a b', 'SetEnv=X=$HOME `id` "q" \\ ! ; |', 'LocalCommand=\u202eevil\u0007'],
    'stress\u001b[31m agent\ttab \u0085 \u{e0001}',
  );
  const line = shellCommandLine(['ssh', ...argv]);
  assert.match(line, /^ssh -T -o BatchMode=yes -o 'ProxyCommand=sh -c '\\''id > PWNED'\\''' -o 'User=a b' /);
  assert.ok(line.endsWith("-p 2222 -l load -- box1 $'stress\\x1b[31m agent\\x09tab \\u0085 \\U000e0001'"), line);
  assert.doesNotMatch(line, /[\p{Cc}\p{Cf}]/u, 'nothing a terminal would act on or hide');
  assert.equal(shellCommandLine(['']), "''");
  // bash parses the line; a function in place of ssh prints each word it received
  const words = execFileSync('bash', ['-c', `ssh() { printf '%s\\0' "$@"; }; ${line}`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);
  assert.deepEqual(words, argv);
});

test('--ssh-option must be Key=Value: nothing that ssh would read as another flag or a second line', () => {
  for (const good of ['IdentityFile=~/.ssh/load', 'ProxyJump=bastion', 'StrictHostKeyChecking=accept-new', 'ConnectTimeout=3']) {
    assert.equal(sshOptionProblem(good), null, good);
  }
  for (const bad of ['-oProxyCommand=x', 'NoValue', 'Key=', '=value', 'Key=a\nb', 'Bad Key=v']) {
    assert.match(sshOptionProblem(bad)!, /must be Key=Value/, JSON.stringify(bad));
  }
});

test('why ssh ended, in one line', () => {
  assert.equal(
    describeSshExit(255, null, 'Warning: x\nssh: connect to host b port 22: Connection refused\n'),
    'ssh: connect to host b port 22: Connection refused',
  );
  assert.match(describeSshExit(255, null, ''), /ended abruptly/);
  assert.equal(describeSshExit(127, null, 'sh: 1: npx: not found\n'), 'the remote command exited with code 127: sh: 1: npx: not found');
  assert.equal(describeSshExit(null, 'SIGTERM', ''), 'ssh ended by SIGTERM');
});

test('the plan: load box flags validated with the rest, every problem at once', () => {
  const problems = (raw: RawOptions): string[] => {
    try {
      buildPlan(raw, 2);
      return [];
    } catch (error) {
      assert.ok(error instanceof PlanError);
      return error.problems;
    }
  };
  const url = 'http://10.0.0.9:8000/';
  const remote = buildPlan({ url, agents: 'a,b' }, 2).remote!;
  assert.deepEqual(
    remote.agents.map((agent) => agent.host),
    ['a', 'b'],
  );
  assert.equal(remote.remoteCommand, null, 'no --remote-command: the agent is shipped');
  assert.equal(buildPlan({ url, agents: 'a', remoteCommand: 'stress agent' }, 2).remote!.remoteCommand, 'stress agent');
  assert.equal(remote.workersPerAgent, null, 'each box uses its own cores unless --workers says');
  assert.equal(buildPlan({ url, agents: 'a', workers: '3' }, 2).remote!.workersPerAgent, 3);
  assert.equal(buildPlan({ url }, 2).remote, null, 'no --agents: a local run');
  const file = buildPlan({ url, agents: 'a', agentsFile: { path: 'f', content: 'b\nc\n' } }, 2).remote!;
  assert.deepEqual(
    file.agents.map((agent) => agent.host),
    ['a', 'b', 'c'],
  );

  assert.deepEqual(problems({ agents: 'a' }), [
    "--agents needs a target URL: the bundled target server would run on this machine, out of the load boxes' reach",
  ]);
  assert.deepEqual(problems({ url, sshOption: ['A=b'], remoteCommand: 'x', abortOnAgentLoss: true }), [
    '--ssh-option needs --agents or --agents-file',
    '--remote-command needs --agents or --agents-file',
    '--abort-on-agent-loss needs --agents or --agents-file',
  ]);
  const many = problems({ url, agents: '-x,b,c,d', clients: '2', sshOption: ['bad'], agentsFile: { path: 'gone.txt', content: null } });
  assert.equal(many.length, 4, many.join('\n'));
  assert.match(many.join('\n'), /"-x"/);
  assert.match(many.join('\n'), /cannot read "gone\.txt"/);
  assert.match(many.join('\n'), /--clients 2 is fewer than the 3 load boxes/);
  assert.match(many.join('\n'), /--ssh-option: "bad"/);
});
