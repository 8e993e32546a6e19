/** What `stress agent` accepts of a controller's messages, a plan's spec field by field: a table, pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkControllerMessage, specProblem } from '../../engine/remote/plan-check.js';
import type { RunSpec } from '../../engine/run/contract.js';

function spec(): RunSpec {
  return {
    target: { url: 'http://127.0.0.1:8000/hello', method: 'POST', headers: { 'x-run': 'a b' }, bodyBase64: 'aGk=' },
    load: { kind: 'rate', segments: [{ durationMs: 1000, fromRate: 100, toRate: 200 }] },
    workers: 2,
    client: 'lean',
    connections: 8,
    timeoutMs: 2000,
    maxInflight: 512,
    intervalMs: 1000,
    warmupMs: 0,
    workerSlots: { first: 2, total: 4 },
    startAtEpochMs: 1_700_000_000_000,
    maxBodyBytes: null,
    requestLogPath: '/anywhere/is/ignored.csv',
    lastPool: true,
  };
}

type Loose = Record<string, unknown>;

test('a spec is run only when every field is of its kind and within the bounds of a plan', () => {
  const table: Array<{ why: string; change: (s: RunSpec & Loose) => void; problem: RegExp | null }> = [
    { why: 'as the controller sends it', change: () => undefined, problem: null },
    { why: 'a closed loop', change: (s) => (s.load = { kind: 'clients', clients: 10, requests: 100, durationMs: null }), problem: null },
    {
      why: 'no optional field',
      change: (s) => {
        for (const key of ['client', 'workerSlots', 'startAtEpochMs', 'maxBodyBytes', 'requestLogPath', 'lastPool']) delete s[key];
      },
      problem: null,
    },
    { why: 'a request log path of any kind: ignored', change: (s) => ((s as Loose).requestLogPath = 42), problem: null },
    { why: 'no target', change: (s) => delete (s as Loose).target, problem: /^spec\.target is missing$/ },
    {
      why: 'a file URL',
      change: (s) => (s.target.url = 'file:///etc/passwd'),
      problem: /^spec\.target\.url is "file:\/\/\/etc\/passwd", not an http/,
    },
    { why: 'no URL at all', change: (s) => (s.target.url = 'nowhere'), problem: /^spec\.target\.url is "nowhere"/ },
    {
      why: 'a method with a space',
      change: (s) => (s.target.method = 'GET /x'),
      problem: /^spec\.target\.method is "GET \/x", not an HTTP method$/,
    },
    {
      why: 'a header that smuggles a second',
      change: (s) => (s.target.headers = { 'x-a': 'b\r\nx-c: d' }),
      problem: /^spec\.target\.headers\.x-a is "b\\r\\nx-c: d", not a header value$/,
    },
    {
      why: 'a header name with a colon',
      change: (s) => (s.target.headers = { 'x:a': 'b' }),
      problem: /^spec\.target\.headers\.x:a is not a header name$/,
    },
    {
      why: 'a body that is not base64',
      change: (s) => (s.target.bodyBase64 = 'not base64!'),
      problem: /^spec\.target\.bodyBase64 is "not base64!", not base64$/,
    },
    {
      why: 'TLS options of an https target',
      change: (s) =>
        (s.target.tls = { insecure: false, ca: '-----BEGIN CERTIFICATE-----', cert: null, key: null, servername: 'a.example' }),
      problem: null,
    },
    {
      why: 'TLS verification given as a string',
      change: (s) => (s.target.tls = { insecure: 'yes', ca: null, cert: null, key: null, servername: null } as never),
      problem: /^spec\.target\.tls\.insecure is "yes", not true or false$/,
    },
    {
      why: 'a client key that is not text',
      change: (s) => (s.target.tls = { insecure: false, ca: null, cert: 'x', key: 5, servername: null } as never),
      problem: /^spec\.target\.tls\.key is 5, not/,
    },
    {
      why: 'an unknown load',
      change: (s) => ((s.load as Loose).kind = 'storm'),
      problem: /^spec\.load\.kind is "storm", not rate or clients$/,
    },
    {
      why: 'segments of the wrong kind',
      change: (s) => ((s.load as Loose).segments = 'x'),
      problem: /^spec\.load\.segments is "x", not a list$/,
    },
    {
      why: 'a negative rate',
      change: (s) => (s.load = { kind: 'rate', segments: [{ durationMs: 1000, fromRate: -5, toRate: 1 }] }),
      problem: /^spec\.load\.segments\[0\]\.fromRate is -5, not a number from 0 to/,
    },
    {
      why: 'a step of no length',
      change: (s) => (s.load = { kind: 'rate', segments: [{ durationMs: 0, fromRate: 5, toRate: 5 }] }),
      problem: /^spec\.load\.segments\[0\]\.durationMs is 0, /,
    },
    {
      why: 'a closed loop that never ends',
      change: (s) => (s.load = { kind: 'clients', clients: 1, requests: null, durationMs: null }),
      problem: /^spec\.load: a closed loop without a request count or a duration would never end$/,
    },
    { why: '257 workers', change: (s) => (s.workers = 257), problem: /^spec\.workers is 257, not a whole number from 1 to 256$/ },
    {
      why: 'an unknown client',
      change: (s) => ((s as Loose).client = 'curl'),
      problem: /^spec\.client is "curl", not one of "lean", "undici"$/,
    },
    { why: 'connections as a string', change: (s) => ((s as Loose).connections = 'many'), problem: /^spec\.connections is "many"/ },
    { why: 'a negative timeout', change: (s) => (s.timeoutMs = -1), problem: /^spec\.timeoutMs is -1, not a number from 1 to 3600000$/ },
    { why: 'an interval of 0 ms', change: (s) => (s.intervalMs = 0), problem: /^spec\.intervalMs is 0, not a number from 50 to 3600000$/ },
    { why: 'a start that is a string', change: (s) => ((s as Loose).startAtEpochMs = 'now'), problem: /^spec\.startAtEpochMs is "now"/ },
    {
      why: 'slots beyond the slots',
      change: (s) => (s.workerSlots = { first: 3, total: 4 }),
      problem: /^spec\.workerSlots: slots 3 to 4 of 4$/,
    },
    { why: 'a negative body limit', change: (s) => (s.maxBodyBytes = -1), problem: /^spec\.maxBodyBytes is -1, not a count$/ },
  ];
  for (const row of table) {
    const candidate = spec() as RunSpec & Loose;
    row.change(candidate);
    const problem = specProblem(JSON.parse(JSON.stringify(candidate)));
    if (row.problem === null) assert.equal(problem, null, row.why);
    else assert.match(problem ?? 'no problem', row.problem, row.why);
  }
  assert.equal(specProblem(null), 'spec is null, not an object');
});

test("each controller message's shape is checked; a plan's problem names its spec field", () => {
  assert.deepEqual(checkControllerMessage({ type: 'ping', id: 3 }), { type: 'ping', id: 3 });
  assert.equal(typeof checkControllerMessage({ type: 'plan', runId: 1, spec: spec() }), 'object');
  const refused: Array<[unknown, RegExp]> = [
    [{ type: 'ping', id: {} }, /^ping\.id is \{\}, not a whole number/],
    [{ type: 'hello' }, /^hello\.version is missing$/],
    [{ type: 'stop', runId: 1, drainMs: 'soon', planned: false }, /^stop\.drainMs is "soon"/],
    [{ type: 'stop', runId: 1, drainMs: 0 }, /^stop\.planned is missing$/],
    [{ type: 'plan', runId: 'one', spec: spec() }, /^plan: plan\.runId is "one"/],
    [{ type: 'plan', runId: 1, spec: { ...spec(), intervalMs: 1e-9 } }, /^plan: spec\.intervalMs is 1e-9, /],
    [{ type: 'launch' }, /^unknown message type "launch"$/],
    [{ type: 'hasOwnProperty' }, /^unknown message type "hasOwnProperty"$/],
  ];
  for (const [message, problem] of refused) assert.match(checkControllerMessage(message) as string, problem, JSON.stringify(message));
});
