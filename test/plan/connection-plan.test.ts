/**
 * The connection flags (--http2, --max-streams, --unix-socket) into the plan, and each bad
 * combination refused with a line naming the flag and the fix: pure table tests of buildPlan
 * (the socket path as the shell found it), then the command line once against a real path, with
 * every problem in one line, exit 2, and no connection made.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan, PlanError, targetSpec, type RawOptions } from '../../engine/plan/plan.js';
import { runStress } from '../helpers/stress-cli.js';

const HTTPS = 'https://127.0.0.1:8443/hello';
const HTTP = 'http://localhost/hello';
const SOCKET = { path: '/run/app.sock', found: 'socket' } as const;

function problemsOf(raw: RawOptions): string[] {
  try {
    buildPlan(raw, 2);
  } catch (error) {
    if (error instanceof PlanError) return error.problems;
    throw error;
  }
  return [];
}

test('--http2 picks undici and 100 streams per connection; --max-streams sets them; the target spec carries both', () => {
  const plan = buildPlan({ url: HTTPS, http2: true }, 2);
  assert.equal(plan.client, 'undici');
  assert.deepEqual(plan.http2, { maxStreams: 100 });
  assert.deepEqual(buildPlan({ url: HTTPS, http2: true, maxStreams: '8', client: 'undici' }, 2).http2, { maxStreams: 8 });
  assert.deepEqual(targetSpec(buildPlan({ url: HTTPS, http2: true, maxStreams: '8' }, 2), HTTPS).http2, { maxStreams: 8 });
  const plain = buildPlan({ url: HTTPS }, 2);
  assert.deepEqual([plain.client, plain.http2, plain.unixSocket], ['lean', null, null]);
  assert.equal('http2' in targetSpec(plain, HTTPS), false, 'HTTP/1.1 targets stay as they were');
});

test('--unix-socket: a socket the shell found is the target spec, with either client and with https', () => {
  assert.equal(targetSpec(buildPlan({ url: HTTP, unixSocket: SOCKET }, 2), HTTP).unixSocket, '/run/app.sock');
  assert.equal(buildPlan({ url: HTTP, unixSocket: SOCKET, client: 'undici' }, 2).unixSocket, '/run/app.sock');
  assert.equal(buildPlan({ url: HTTPS, unixSocket: SOCKET, http2: true }, 2).unixSocket, '/run/app.sock');
});

/** raw options -> the problems expected, each a pattern of one line */
const REFUSED: Array<[string, RawOptions, RegExp[]]> = [
  ['--http2 with the lean client', { url: HTTPS, http2: true, client: 'lean' }, [/^--http2 and --client lean contradict: .*drop --client/]],
  ['--http2 over http://', { url: HTTP, http2: true }, [/^--http2 needs an https:\/\/ URL: .*h2c is not offered \(the URL is http:\/\/\)/]],
  ['--http2 with the bundled target', { http2: true }, [/^--http2 needs an https:\/\/ URL: .*bundled target speaks plain HTTP\/1\.1/]],
  ['--max-streams without --http2', { url: HTTPS, maxStreams: '10' }, [/^--max-streams needs --http2/]],
  ['--max-streams 0', { url: HTTPS, http2: true, maxStreams: '0' }, [/^--max-streams: "0" must be a whole number from 1/]],
  [
    'a missing socket',
    { url: HTTP, unixSocket: { path: '/run/gone.sock', found: 'missing' } },
    [/^--unix-socket: nothing at "\/run\/gone\.sock" \(start the server first/],
  ],
  [
    'a file that is no socket',
    { url: HTTP, unixSocket: { path: '/etc/hosts', found: 'not-a-socket' } },
    [/^--unix-socket: "\/etc\/hosts" is not a Unix socket/],
  ],
  [
    'a path longer than a socket holds',
    { url: HTTP, unixSocket: { path: `/${'d'.repeat(107)}`, found: 'socket' } },
    [/^--unix-socket: ".*" is 108 bytes long; .* 107 at most/],
  ],
  ['--unix-socket with the bundled target', { unixSocket: SOCKET }, [/^--unix-socket needs a URL/]],
  [
    '--unix-socket with load boxes',
    { url: HTTP, unixSocket: SOCKET, agents: 'box1' },
    [/^--unix-socket and --agents contradict: .*out of the load boxes' reach/],
  ],
  [
    'every problem at once',
    { url: HTTP, http2: true, client: 'lean', unixSocket: { path: '/run/gone.sock', found: 'missing' } },
    [/^--http2 and --client lean/, /^--http2 needs an https/, /^--unix-socket: nothing at/],
  ],
];

for (const [name, raw, expected] of REFUSED) {
  test(`refused: ${name}`, () => {
    const problems = problemsOf(raw);
    assert.equal(problems.length, expected.length, problems.join('\n'));
    for (const [index, pattern] of expected.entries()) assert.match(problems[index]!, pattern);
  });
}

let dir: string;
let connections = 0;
const server = net.createServer((socket) => {
  connections++;
  socket.destroy();
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-socket-input-'));
  await new Promise<void>((resolve) => server.listen(join(dir, 'listening.sock'), resolve));
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test('on the command line: a missing socket, a plain file, --http2 with the lean client, --max-streams alone: exit 2, one line, no load', async () => {
  const file = join(dir, 'plain-file');
  await writeFile(file, 'not a socket');
  for (const [args, patterns] of [
    [
      ['--unix-socket', join(dir, 'missing.sock'), '--http2', '--client', 'lean'],
      [/--http2 and --client lean contradict/, /--unix-socket: nothing at ".*missing\.sock"/],
    ],
    [['--unix-socket', file], [/--unix-socket: ".*plain-file" is not a Unix socket/]],
    [['--unix-socket', join(dir, 'listening.sock'), '--max-streams', '4'], [/^stress: --max-streams needs --http2/]],
  ] as const) {
    const run = await runStress([HTTP, '--duration', '1s', ...args], 20_000);
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    for (const pattern of patterns) assert.match(lines[0]!, pattern);
    assert.equal(run.stdout, '');
  }
  assert.equal(connections, 0, 'the socket that listens was not reached: a refused plan sends nothing');
});
