import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, UsageError } from '../../engine/plan/cli.js';
import { FLAGS } from '../../engine/plan/flags.js';
import { buildPlan, PlanError, targetSpec, type RawOptions } from '../../engine/plan/plan.js';

const plan = (raw: RawOptions) => buildPlan(raw, 2);
const problemsOf = (raw: RawOptions): string[] => {
  try {
    plan(raw);
  } catch (error) {
    if (error instanceof PlanError) return error.problems;
    throw error;
  }
  return [];
};

test('workers when --workers is not given: one per 10,000 req/s of the highest rate, at most one per core; a closed loop one per core', () => {
  const rows: Array<[RawOptions, number, number]> = [
    // [options, cores, workers]
    [{ rate: '1' }, 8, 1],
    [{ rate: '10000' }, 8, 1],
    [{ rate: '10001' }, 8, 2],
    [{ rate: '35k' }, 8, 4],
    [{ rate: '35k' }, 2, 2],
    [{ rate: '1000000' }, 8, 8],
    [{ ramp: '100:20000', step: '1s' }, 8, 2],
    [{ ramp: '100:20000', step: '1s' }, 1, 1],
    [{ clients: '50' }, 8, 8],
    [{ rate: '1000', workers: '3' }, 8, 3],
    [{ rate: '1000000' }, 0, 1],
  ];
  for (const [raw, cores, expected] of rows) {
    assert.equal(buildPlan(raw, cores).workers, expected, `${JSON.stringify(raw)} on ${cores} cores`);
  }
});

test("defaults: the README's numbers (1,000 req/s for 10 s, a 1 s warm-up), one worker for that rate, bundled target", () => {
  // the literals the README states, not the code's own constants: a changed default fails here
  const result = plan({});
  assert.equal(result.mode, 'rate');
  assert.equal(result.rate, 1000, 'README: 1,000 requests/s');
  assert.equal(result.durationMs, 10_000, 'README: for 10 s');
  assert.equal(result.workers, 1, 'README: one worker per 10,000 req/s of the highest rate');
  assert.equal(result.url, null);
  assert.equal(result.timeoutMs, 10_000);
  assert.equal(result.warmupMs, 1000, 'README: --warmup, default 1 s');
  assert.equal(plan({ clients: '3' }).warmupMs, 0, 'a closed loop counts every request: no warm-up');
  assert.equal(plan({ warmup: '0' }).warmupMs, 0);
  assert.equal(result.maxLagMs, 5, 'the generator counts as behind past 5 ms of scheduler lag p99');
  assert.equal(plan({ maxLag: '20ms', ramp: '1:2' }).maxLagMs, 20);
  assert.equal(plan({ endurance: true }).intervalMs, 250, 'README: --endurance makes intervals 250 ms long');
  assert.equal(plan({ endurance: true, interval: '2s' }).intervalMs, 2000, '(unless --interval says otherwise)');
  const ramp = plan({ ramp: '100:20000' }).ramp!;
  assert.equal(ramp.rates.length, 10, 'README: --ramp 100:20000 is 10 equal steps');
  assert.equal(ramp.maxErrorRate, 0.01, 'README: --max-errors (1%)');
});

test('closed loop with a request budget has no duration', () => {
  const result = plan({ url: 'http://127.0.0.1:8000/test-get/0', clients: '10', requests: '2000' });
  assert.equal(result.mode, 'clients');
  assert.equal(result.clients, 10);
  assert.equal(result.requests, 2000);
  assert.equal(result.durationMs, null);
  assert.equal(result.rate, null);
});

test('headers, method and body are taken as given', () => {
  const result = plan({ url: 'https://127.0.0.1/x', method: 'post', header: ['Content-Type: application/json', 'X-A:1'], body: '{"a":1}' });
  assert.equal(result.method, 'POST');
  assert.deepEqual(result.headers, { 'content-type': 'application/json', 'x-a': '1' });
  assert.equal(Buffer.from(result.bodyBase64!, 'base64').toString(), '{"a":1}');
});

test('credentials in the URL become a Basic Authorization header, and the password is never shown', () => {
  const result = plan({ url: 'http://admin:s3cr%40t@127.0.0.1:8000/x' });
  assert.equal(result.headers.authorization, `Basic ${Buffer.from('admin:s3cr@t').toString('base64')}`);
  assert.equal(result.url, 'http://admin:***@127.0.0.1:8000/x');
  assert.equal(targetSpec(result, result.url!).url, 'http://127.0.0.1:8000/x', 'the workers connect without them');
  assert.equal(plan({ url: 'http://127.0.0.1/' }).headers.authorization, undefined);
  assert.deepEqual(problemsOf({ url: 'http://a:b@127.0.0.1/', header: ['Authorization: Bearer x'] }), [
    'url: credentials in the URL and an Authorization header contradict: give one',
  ]);
});

test('header values that break the line, reserved headers and repeated names are refused, each in one printable line', () => {
  const table: Array<{ header: string[]; expect: RegExp }> = [
    { header: ['X-A: a\r\nX-Injected: 1'], expect: /^--header: "X-A: a\\x0d\\x0aX-Injected: 1": a value may not hold CR, LF or NUL/ },
    { header: ['X-A: a\u0000b'], expect: /may not hold CR, LF or NUL/ },
    { header: ['Transfer-Encoding: chunked'], expect: /Transfer-Encoding is not yours to set/ },
    { header: ['Content-Length: 5'], expect: /Content-Length is not yours to set: it is set from the body/ },
    { header: ['Upgrade: h2c'], expect: /Upgrade is not yours to set/ },
    { header: ['Expect: 100-continue'], expect: /Expect is not yours to set/ },
    { header: ['Connection: close'], expect: /Connection is not yours to set/ },
    { header: ['Host: a', 'host: b'], expect: /host is given twice; give it once/ },
    { header: ['X-A: 1', 'X-A: 2'], expect: /X-A is given twice/ },
  ];
  for (const row of table) {
    const problems = problemsOf({ header: row.header });
    assert.equal(problems.length, 1, `${JSON.stringify(row.header)} -> ${JSON.stringify(problems)}`);
    assert.match(problems[0]!, row.expect);
    assert.doesNotMatch(problems[0]!, /[\r\n\0]/, 'one line, no raw control bytes');
  }
  // a header named like an Object property is a header like any other
  assert.deepEqual(plan({ header: ['toString: x', 'Host: example.test'] }).headers, { tostring: 'x', host: 'example.test' });
});

const HTTPS = 'https://127.0.0.1:1/';
const PEM_JUNK = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';

test('every problem is reported at once, each naming its flag', () => {
  const table: Array<{ raw: RawOptions; expect: RegExp[] }> = [
    { raw: { url: 'not a url' }, expect: [/^url: .* is not a URL/] },
    { raw: { url: 'ftp://127.0.0.1/' }, expect: [/^url: .* must be http/] },
    { raw: { rate: '0' }, expect: [/^--rate: "0" must be more than 0/] },
    { raw: { rate: '-3' }, expect: [/^--rate: .* is not a rate/] },
    { raw: { rate: 'NaN' }, expect: [/^--rate/] },
    { raw: { duration: '10 parsecs' }, expect: [/^--duration: .* is not a duration/] },
    { raw: { duration: '30d' }, expect: [/^--duration/] },
    { raw: { duration: '0s' }, expect: [/^--duration: .* must be between/] },
    { raw: { rate: '5', clients: '3' }, expect: [/--rate and --clients contradict/] },
    { raw: { clients: '3', requests: '10', duration: '1s' }, expect: [/--requests and --duration contradict/] },
    { raw: { requests: '10' }, expect: [/--requests needs --clients/] },
    { raw: { body: 'x', bodyFile: { path: 'f', content: Buffer.from('y') } }, expect: [/--body and --body-file contradict/] },
    { raw: { bodyFile: { path: '/nope', content: null } }, expect: [/--body-file: cannot read "\/nope"/] },
    { raw: { header: [': empty'] }, expect: [/--header/] },
    { raw: { header: ['NoColon'] }, expect: [/--header/] },
    {
      raw: { workers: '0', connections: '0', timeout: 'x', maxInflight: '-1' },
      expect: [/--workers/, /--connections/, /--timeout/, /--max-inflight/],
    },
    { raw: { url: 'x', rate: '0', duration: 'y' }, expect: [/^url/, /^--rate/, /^--duration/] },
    { raw: { clients: '2', warmup: '1s' }, expect: [/--warmup needs an open loop/] },
    { raw: { warmup: 'soon' }, expect: [/^--warmup/] },
    { raw: { maxLag: '0' }, expect: [/^--max-lag: "0" must be between/] },
    { raw: { maxLag: 'late' }, expect: [/^--max-lag/] },
    { raw: { clients: '2', maxLag: '10ms' }, expect: [/--max-lag needs an open loop/] },
    // TLS: for an https URL only, files readable and of their kind, a key with its certificate
    { raw: { insecure: true }, expect: [/^--insecure: needs an https:\/\/ URL \(the bundled target speaks plain HTTP\)/] },
    { raw: { url: 'http://127.0.0.1:1/', servername: 'a.example' }, expect: [/^--servername: needs an https:\/\/ URL/] },
    { raw: { url: 'nope', insecure: true }, expect: [/^url: /] },
    {
      raw: { url: HTTPS, insecure: true, ca: { path: 'ca.pem', content: PEM_JUNK } },
      expect: [/--insecure and --ca contradict/, /^--ca: .* is not a valid/],
    },
    { raw: { url: HTTPS, ca: { path: '/no/ca.pem', content: null } }, expect: [/^--ca: cannot read "\/no\/ca\.pem"/] },
    { raw: { url: HTTPS, ca: { path: 'ca.pem', content: 'hello' } }, expect: [/^--ca: "ca\.pem" holds no PEM certificate/] },
    {
      raw: { url: HTTPS, cert: { path: 'c.pem', content: PEM_JUNK } },
      expect: [/^--cert needs --key/, /^--cert: certificate 1 of "c\.pem"/],
    },
    {
      raw: { url: HTTPS, key: { path: 'k.pem', content: 'not a key' } },
      expect: [/^--key needs --cert/, /^--key: "k\.pem" is not an unencrypted PEM private key/],
    },
    { raw: { url: HTTPS, servername: '127.0.0.1' }, expect: [/^--servername: "127\.0\.0\.1" is not a host name/] },
    { raw: { url: HTTPS, servername: 'bad name' }, expect: [/^--servername: "bad name" is not a host name/] },
  ];
  for (const row of table) {
    const problems = problemsOf(row.raw);
    assert.equal(problems.length, row.expect.length, `${JSON.stringify(row.raw)} -> ${JSON.stringify(problems)}`);
    for (const [i, pattern] of row.expect.entries()) assert.match(problems[i]!, pattern);
  }
});

test('command line: flags reach the raw options; unknown flags and repeats are usage errors', async () => {
  const outcome = await parseCommandLine(['http://127.0.0.1:1/', '--rate', '2k', '-d', '5s', '-H', 'A: b', '-H', 'C: d', '--json'], 2);
  assert.equal(outcome.kind, 'run');
  if (outcome.kind !== 'run') return;
  assert.deepEqual(outcome.options, { url: 'http://127.0.0.1:1/', rate: '2k', duration: '5s', header: ['A: b', 'C: d'], json: true });
  await assert.rejects(parseCommandLine(['--bogus'], 2), UsageError);
  await assert.rejects(parseCommandLine(['--rate', '1', '--rate', '2'], 2), /more than once/);
  await assert.rejects(parseCommandLine(['http://a/', 'http://b/'], 2), /http:\/\/b\//);
  await assert.rejects(parseCommandLine(['--rate'], 2), /--rate/);
});

/**
 * The default each flag's --help entry states, written out here (the README's and the flag
 * table's own words), so a changed default or one shown on the wrong flag fails. null: no default
 * shown. Every flag of the table must be listed.
 */
const HELP_DEFAULTS: Record<string, string | null> = {
  rate: '1000',
  duration: '10s',
  clients: null,
  requests: null,
  ramp: null,
  step: '10s',
  steps: '10',
  increment: null,
  'max-errors': '1%',
  'slo-p99': 'none',
  'stop-on-break': 'true',
  refine: null,
  profile: null,
  'trust-profile': null,
  method: 'GET',
  header: null,
  body: null,
  'body-file': null,
  timeout: '10s',
  insecure: "verified against Node's CAs, or --ca",
  ca: null,
  cert: null,
  key: null,
  servername: "the URL's host name (none for an IP address)",
  http2: 'HTTP/1.1',
  'max-streams': '100',
  'unix-socket': null,
  workers: 'one per 10,000 req/s of the highest rate, at most 2 (one per CPU core); closed loop: 2',
  connections: '64; closed loop: one per client',
  'max-inflight': '4096',
  'max-lag': '5ms',
  client: 'lean',
  'max-body': 'no limit',
  warmup: '1s',
  interval: '1s',
  json: null,
  quiet: null,
  dashboard: '127.0.0.1 on a free port',
  agents: "each box's cores",
  'agents-file': null,
  'ssh-option': null,
  'remote-command': "ship this stress's own agent over ssh (the box needs node 20 or newer)",
  'abort-on-agent-loss': 'go on with the others, and report the loss',
  endurance: null,
  'fail-on': null,
  out: null,
  html: null,
  log: null,
  'hdr-log': null,
  metrics: null,
  'metrics-linger': '0, close with the summary',
  bundled: null,
  targets: null,
};

/** Each flag's entry in --help (its first line and the wrapped lines under it), in one line, by long name. */
function helpEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  let current: string | null = null;
  for (const line of text.split('\n')) {
    // an entry starts with its names in the first columns: "  -d, --duration" or "      --rate"
    const start = /^ {2}(?:-\w, | {4})--([a-z][a-z0-9-]*)(?: |$)/.exec(line);
    if (start) {
      current = start[1]!;
      assert.equal(entries.has(current), false, `--${current} has one entry`);
      entries.set(current, line.trim());
    } else if (current !== null && /^ {7,}\S/.test(line)) {
      entries.set(current, `${entries.get(current)} ${line.trim()}`);
    } else {
      current = null;
    }
  }
  return entries;
}

test('--help: every flag of the table has its own entry, naming it and stating its own default', async () => {
  const outcome = await parseCommandLine(['--help'], 2);
  assert.equal(outcome.kind, 'help');
  if (outcome.kind !== 'help') return;
  const entries = helpEntries(outcome.text);
  const named = FLAGS.filter((flag) => !flag.positional).map((flag) => flag.name);
  assert.deepEqual(
    named.filter((name) => !(name in HELP_DEFAULTS)),
    [],
    'every flag of the table has its expected default here',
  );
  for (const name of named) {
    const entry = entries.get(name);
    assert.ok(entry !== undefined, `--${name} has an entry of its own`);
    assert.ok(entry.includes(`--${name} `), `the entry names --${name}: ${entry}`);
    const defaults = [...entry.matchAll(/\[default: ([^\]]*)\]/g)].map((match) => match[1]);
    const expected = HELP_DEFAULTS[name];
    assert.deepEqual(defaults, expected === null ? [] : [expected], `--${name} states its own default: ${entry}`);
  }
});
