// Pure parts of the target server: command line, option validation, routing, engine detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PORT, HELP, parseTargetArgs } from '../../target-server/cli-args.js';
import { resolveTargetOptions, TargetOptionsError, validateTargetOptions } from '../../target-server/options.js';
import { MAX_BYTES, route, TEST_GET_MAX_BYTES, TEST_GET_MIN_BYTES } from '../../target-server/routes.js';
import { detectEngine } from '../../target-server/uws-loader.js';

test('flags: every knob with its units', () => {
  const outcome = parseTargetArgs([
    '--port',
    '9000',
    '--host',
    '0.0.0.0',
    '--latency',
    '250ms',
    '--fail-rate',
    '5%',
    '--capacity',
    '2k',
    '--queue',
    '100',
    '--pause-every',
    '2s',
    '--pause-for',
    '150ms',
    '--close-rate',
    '0.01',
  ]);
  assert.deepEqual(outcome, {
    kind: 'run',
    options: {
      port: 9000,
      host: '0.0.0.0',
      latencyMs: 250,
      failRate: 0.05,
      capacity: 2000,
      queue: 100,
      pauseEveryMs: 2000,
      pauseForMs: 150,
      closeRate: 0.01,
    },
  });
});

test('flags: defaults, --flag=value, and help', () => {
  assert.deepEqual(parseTargetArgs([]), { kind: 'run', options: { port: DEFAULT_PORT } });
  assert.deepEqual(parseTargetArgs(['--port=0', '--latency=1m']), { kind: 'run', options: { port: 0, latencyMs: 60_000 } });
  assert.deepEqual(parseTargetArgs(['--help']), { kind: 'help' });
  assert.deepEqual(parseTargetArgs(['-h', '--port', 'nonsense']), { kind: 'help' });
});

test('flags, sad path: one line that names the flag and the fix', () => {
  const table: Array<[string[], RegExp]> = [
    [['--nope'], /^unknown flag --nope \(see target-server --help/],
    [['8000'], /^unexpected argument '8000'.*--port 8000/],
    [['--port'], /^--port: needs a value/],
    [['--port', '70000'], /^--port: "70000" must be a whole number from 0 to 65535/],
    [['--latency', 'soon'], /^--latency: "soon" is not a duration \(use e\.g\. 500ms/],
    [['--fail-rate', '1.5'], /^--fail-rate: "1\.5" is not a fraction between 0 and 1/],
    [['--close-rate', '-1'], /^--close-rate: a value starting with "-" must be attached/],
    [['--close-rate=-1'], /^--close-rate: "-1" is not a fraction/],
    [['--capacity', 'lots'], /^--capacity: "lots" is not a rate/],
    [['--capacity', '0'], /^--capacity: 0 must be a rate above 0/],
    [['--queue', '10'], /^--queue: only applies with --capacity/],
    [['--pause-every', '1s'], /^--pause-every: needs --pause-for/],
    [['--pause-for', '1s'], /^--pause-for: needs --pause-every/],
    [['--pause-every', '1s', '--pause-for', '2s'], /^--pause-for: 2000 ms must be shorter than --pause-every/],
    [['--help=yes'], /--help: takes no value/],
  ];
  for (const [argv, expected] of table) {
    const outcome = parseTargetArgs(argv);
    assert.equal(outcome.kind, 'error', argv.join(' '));
    if (outcome.kind !== 'error') continue;
    assert.match(outcome.message, expected, argv.join(' '));
    assert.ok(!outcome.message.includes('\n'), `one line for ${argv.join(' ')}`);
    assert.match(outcome.message, /see target-server --help/);
  }
});

test('flags, sad path: several mistakes are reported together', () => {
  const outcome = parseTargetArgs(['--latency', 'x', '--fail-rate', '3']);
  assert.equal(outcome.kind, 'error');
  assert.match(outcome.kind === 'error' ? outcome.message : '', /--latency: .*; --fail-rate: /);
});

test('help documents every flag with units and defaults', () => {
  for (const flag of [
    '--port',
    '--host',
    '--latency',
    '--fail-rate',
    '--capacity',
    '--queue',
    '--pause-every',
    '--pause-for',
    '--close-rate',
    '--help',
  ]) {
    assert.ok(HELP.includes(flag), flag);
  }
  for (const word of [
    '500ms',
    '5%',
    'requests/s',
    'default 8000',
    'default 127.0.0.1',
    '/test-get/:n',
    '/bytes/:n',
    '/delay/:ms',
    '/status/:code',
    '/health',
  ]) {
    assert.ok(HELP.includes(word), word);
  }
});

test('options: validation returns every problem, each naming its flag', () => {
  const problems = validateTargetOptions({
    port: -1,
    latencyMs: -5,
    failRate: 2,
    closeRate: Number.NaN,
    capacity: -1,
    queue: 1.5,
    pauseEveryMs: 100,
  });
  for (const flag of ['--port', '--latency', '--fail-rate', '--close-rate', '--capacity', '--queue', '--pause-every']) {
    assert.ok(
      problems.some((problem) => problem.startsWith(`${flag}:`)),
      `${flag} in ${problems.join(' | ')}`,
    );
  }
  assert.deepEqual(validateTargetOptions({}), []);
  assert.throws(
    () => resolveTargetOptions({ failRate: 2, pauseForMs: 10 }),
    (error: unknown) => error instanceof TargetOptionsError && error.problems.length === 2,
  );
});

test('options: defaults of the programmatic API (port 0, queue = 1 s of capacity)', () => {
  assert.deepEqual(resolveTargetOptions({}), {
    port: 0,
    host: '127.0.0.1',
    latencyMs: 0,
    failRate: 0,
    capacity: undefined,
    queue: undefined,
    pauseEveryMs: undefined,
    pauseForMs: undefined,
    closeRate: 0,
    drainTimeoutMs: 1500,
  });
  assert.equal(resolveTargetOptions({ capacity: 300 }).queue, 300);
  assert.equal(resolveTargetOptions({ capacity: 300, queue: 0 }).queue, 0);
});

test('routes: every endpoint, happy path', () => {
  const half = () => 0.5;
  assert.deepEqual(route('/hello', half), { kind: 'text', status: 200, body: 'hello from the stress target server\n' });
  assert.deepEqual(route('/hello/', half).kind, 'text');
  assert.deepEqual(route('/health', half), { kind: 'text', status: 200, body: 'ok\n' });
  assert.deepEqual(route('/bytes/0', half), { kind: 'bytes', bytes: 0 });
  assert.deepEqual(route(`/bytes/${MAX_BYTES}`, half), { kind: 'bytes', bytes: MAX_BYTES });
  assert.deepEqual(route('/delay/250', half), { kind: 'delay', ms: 250 });
  assert.deepEqual(route('/status/418', half), { kind: 'text', status: 418, body: "418 I'm a Teapot\n" });
  assert.deepEqual(route('/status/204', half), { kind: 'empty', status: 204 });
  assert.deepEqual(route('/status/304', half), { kind: 'empty', status: 304 });
  assert.deepEqual(route('/status/103', half), { kind: 'empty', status: 103 });
  assert.deepEqual(route('/status/205', half), { kind: 'text', status: 205, body: '' });
  assert.deepEqual(route('/hello?x=1', half).kind, 'text'); // the fallback leaves the query on
});

test('routes: /test-get/:n length is uniform over 500..40000 inclusive', () => {
  assert.deepEqual(
    route('/test-get/7', () => 0),
    { kind: 'bytes', bytes: TEST_GET_MIN_BYTES },
  );
  assert.deepEqual(
    route('/test-get/7', () => 0.999_999_999),
    { kind: 'bytes', bytes: TEST_GET_MAX_BYTES },
  );
  assert.deepEqual(
    route('/test-get', () => 0.5),
    { kind: 'bytes', bytes: 20_250 },
  );
});

test('routes, sad path: 400 for bad parameters, 404 for the rest', () => {
  const zero = () => 0;
  for (const path of [
    `/bytes/${MAX_BYTES + 1}`,
    '/bytes/-1',
    '/bytes/1e3',
    '/bytes/',
    '/delay/abc',
    '/delay/3600001',
    '/status/99',
    '/status/600',
    '/status/2xx',
  ]) {
    const answer = route(path, zero);
    assert.ok(answer.kind === 'text' && answer.status === 400, path);
  }
  for (const path of ['/', '/nope', '/hello/there', '/bytes/1/2', '/test-get/1/2', '/healthz']) {
    const answer = route(path, zero);
    assert.ok(answer.kind === 'text' && answer.status === 404, path);
  }
});

test('engine detection: native needs both the uws binary and the native-only exports', () => {
  const nativeExports = { App() {}, SSLApp() {}, getParts() {} };
  const fallbackExports = { App() {}, us_listen_socket_close() {} };
  const binary = '/x/node_modules/uWebSockets.js/binaries/uws_linux_x64_115.node';
  const bufferutil = '/x/node_modules/bufferutil/prebuilds/linux-x64/node.napi.node';
  assert.equal(detectEngine(nativeExports, [binary]), 'native');
  assert.equal(detectEngine(fallbackExports, [bufferutil, '/x/node_modules/uWebSockets.js/dist/index.js']), 'fallback');
  assert.equal(detectEngine(nativeExports, [bufferutil]), 'fallback');
  assert.equal(detectEngine(fallbackExports, [binary]), 'fallback');
});
