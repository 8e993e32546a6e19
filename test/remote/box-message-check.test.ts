/**
 * What the controller accepts of a load box's messages before anything of them touches the run:
 * tables of each kind of bad message, pure, no network (bad-box.test.ts sends them over ssh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { checkAgentMessage, checkSnapshot, failuresProblem, type SnapshotLimits } from '../../engine/remote/box-message-check.js';
import { IntervalRecorder } from '../../engine/measure/recorder.js';
import { decodeSnapshot, encodeStats, ERROR_CLASSES, type IntervalStats, type Snapshot } from '../../engine/measure/snapshot.js';
import { percentile } from '../../engine/measure/statistics.js';
import { StepTimeline } from '../../engine/measure/step-timeline.js';

/** A box's snapshot as the wire carries it: three steps, answers of step 0 and 1 in interval 1. */
function wire(): Snapshot {
  const recorder = new IntervalRecorder(new StepTimeline([1000, 1000, 1000]));
  recorder.recordSent(0, 0);
  recorder.recordResponse(0, 200, 10, 0, 0, 1200);
  recorder.recordSent(1, 0);
  recorder.recordDropped(1);
  recorder.recordResponse(1, 200, 10, 1000, 1000, 1001);
  recorder.recordSent(1, 0.2);
  recorder.recordFailure(1, 'refused', 0, 'ECONNREFUSED');
  recorder.recordConnection(0.4, 1.5, 'http/1.1', 'TLSv1.3');
  recorder.stepsIssued(1);
  // as the agent forwards its workers' merge: histograms compressed for the network
  return JSON.parse(JSON.stringify(encodeStats(decodeSnapshot(recorder.takeSnapshot(1, 1, 1000, 2000))))) as Snapshot;
}

const LIMITS: SnapshotLimits = { stepCount: 3, after: 0, maxInterval: 20, maxEndMs: 10_000, inFlight: 0 };

/** A compressed-histogram field whose payload inflates to `bytes` zero bytes. */
function bomb(bytes: number): string {
  const compressed = deflateSync(Buffer.alloc(bytes));
  const header = Buffer.alloc(8);
  header.writeInt32BE(0x1c849314, 0);
  header.writeInt32BE(compressed.length, 4);
  return Buffer.concat([header, compressed]).toString('base64');
}

function fiveDigits(): string {
  const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 5, autoResize: true });
  histogram.recordValue(1234);
  return encodeIntoCompressedBase64(histogram);
}

type Row = {
  why: string;
  change: (snapshot: Snapshot & Record<string, unknown>) => void;
  problem: RegExp | null;
  limits?: Partial<SnapshotLimits>;
};
const counts = (snapshot: Snapshot) => snapshot.counts as unknown as Record<string, unknown>;
const part = (snapshot: Snapshot, index = 0) => snapshot.steps![index]! as Snapshot & Record<string, unknown>;

test("a box's snapshot is merged only when every field is of its kind, within the run, and adds up", () => {
  const table: Row[] = [
    { why: 'as the agent sends it', change: () => undefined, problem: null },
    { why: 'every step closed', change: (s) => (s.stepsClosed = 3), problem: null },
    // the interval: after the box's last, and no later than can have ended
    {
      why: 'an interval far beyond the plan',
      change: (s) => (s.interval = 1e15),
      problem: /^snapshot\.interval is 1000000000000000, not a whole number from 1 \(after the last\) to 20/,
    },
    {
      why: 'the interval before again',
      change: () => undefined,
      limits: { after: 1 },
      problem: /^snapshot\.interval is 1, not a whole number from 2/,
    },
    { why: 'a fractional interval', change: (s) => (s.interval = 1.5), problem: /^snapshot\.interval is 1\.5, / },
    { why: 'an interval as a string', change: (s) => (s.interval = '1' as unknown as number), problem: /^snapshot\.interval is "1", / },
    { why: 'no interval', change: (s) => delete (s as Partial<Snapshot>).interval, problem: /^snapshot\.interval is missing$/ },
    {
      why: 'an interval that ends after now',
      change: (s) => (s.endMs = 20_000),
      problem: /^snapshot\.endMs is 20000, not a number from 0 to 10000$/,
    },
    {
      why: 'an interval that ends before it starts',
      change: (s) => (s.startMs = 2500),
      problem: /^snapshot ends \(2000 ms\) before it starts \(2500 ms\)$/,
    },
    // the steps
    {
      why: 'a phase far beyond the plan',
      change: (s) => (s.phase = 1e15),
      problem: /^snapshot\.phase is 1000000000000000, not a whole number from 0 to 2$/,
    },
    { why: 'no stepsClosed', change: (s) => delete s.stepsClosed, problem: /^snapshot\.stepsClosed is missing$/ },
    {
      why: 'more steps closed than the run has',
      change: (s) => (s.stepsClosed = 4),
      problem: /^snapshot\.stepsClosed is 4, not a whole number from 0 to 3$/,
    },
    {
      why: 'steps closed as a string',
      change: (s) => (s.stepsClosed = '1' as unknown as number),
      problem: /^snapshot\.stepsClosed is "1"/,
    },
    { why: 'no step parts', change: (s) => delete s.steps, problem: /^snapshot\.steps is missing$/ },
    {
      why: 'a part that is not an object',
      change: (s) => s.steps!.push(null as unknown as Snapshot),
      problem: /^snapshot\.steps\[2\] is null, not an object$/,
    },
    { why: 'more parts than steps', change: (s) => s.steps!.push(part(s), part(s)), problem: /^snapshot\.steps has 4 items, more than 3$/ },
    {
      why: 'a part of a step the run does not have',
      change: (s) => (part(s, 1).phase = 3),
      problem: /^snapshot\.steps\[1\]\.phase is 3, not a whole number from 0 to 2$/,
    },
    {
      why: 'a part without a step',
      change: (s) => delete (part(s) as Partial<Snapshot>).phase,
      problem: /^snapshot\.steps\[0\]\.phase is missing$/,
    },
    { why: 'two parts of one step', change: (s) => (part(s, 1).phase = 0), problem: /^two parts of step 0$/ },
    {
      why: 'a part with parts',
      change: (s) => (part(s).steps = [part(s, 1)]),
      problem: /^snapshot\.steps\[0\] has step parts of its own$/,
    },
    // the counters
    {
      why: 'a part without counts',
      change: (s) => delete (part(s) as Partial<Snapshot>).counts,
      problem: /^snapshot\.steps\[0\]\.counts is missing$/,
    },
    {
      why: 'an interval without counts',
      change: (s) => ((s as { counts: unknown }).counts = null),
      problem: /^snapshot\.counts is null, not an object$/,
    },
    {
      why: 'a negative count',
      change: (s) => (part(s).counts.requests = -1),
      problem: /^snapshot\.steps\[0\]\.counts\.requests is -1, not a count$/,
    },
    {
      why: 'a count as a string',
      change: (s) => (counts(s).requests = '007'),
      problem: /^snapshot\.counts\.requests is "007", not a count$/,
    },
    {
      why: '1e308 successes',
      change: (s) => {
        s.counts.success = 1e308;
        part(s).counts.success = 1e308;
      },
      problem: /^snapshot\.counts\.success is 1e\+308, not a count$/,
    },
    {
      why: 'a fraction of a request',
      change: (s) => (s.counts.dropped = 0.5),
      problem: /^snapshot\.counts\.dropped is 0\.5, not a count$/,
    },
    { why: 'negative body bytes', change: (s) => (s.counts.bodyBytes = -5), problem: /^snapshot\.counts\.bodyBytes is -5, not a count$/ },
    {
      why: 'busy time as a string',
      change: (s) => (counts(s).generatorBusyMs = '007'),
      problem: /^snapshot\.counts\.generatorBusyMs is "007", not a number from 0 to 9007199254740991$/,
    },
    { why: 'busy time of 1e308', change: (s) => (s.counts.gcPauseMs = 1e308), problem: /^snapshot\.counts\.gcPauseMs is 1e\+308, / },
    {
      why: 'requests that are not success + failure',
      change: (s) => (s.counts.requests += 1),
      problem: /^snapshot\.counts: requests 4 are not success 2 \+ failure 1$/,
    },
    {
      why: 'more responses than requests',
      change: (s) => (s.counts.responses = 9),
      problem: /^snapshot\.counts: responses 9 are not from success 2 to requests 3$/,
    },
    {
      why: 'more dropped than scheduled',
      change: (s) => {
        part(s, 1).counts.dropped = 5;
        s.counts.dropped = 5;
      },
      problem: /^snapshot\.counts: dropped 5 is more than scheduled 4$/,
    },
    {
      why: "parts that do not add up to the interval's",
      change: (s) => {
        part(s, 1).counts.dropped = 0;
        part(s, 1).counts.scheduled -= 1;
      },
      problem: /^the step parts' scheduled add up to 3, the interval's is 4$/,
    },
    {
      why: 'more requests ended than were due',
      change: () => undefined,
      limits: { inFlight: -2 },
      problem: /^snapshot ends 3 requests, more than the 1 due and not dropped$/,
    },
    // the tallies
    { why: 'a failure in no class', change: (s) => (s.errors = {}), problem: /^snapshot\.errors add up to 0, failure is 1$/ },
    {
      why: 'an error class that does not exist',
      change: (s) => ((s.errors as Record<string, number>).bogus = 0),
      problem: /^snapshot\.errors\.bogus is not an error class$/,
    },
    {
      why: '5000 error classes',
      change: (s) => {
        for (let i = 0; i < 5000; i++) (s.errors as Record<string, number>)[`e${i}`] = 0;
      },
      problem: new RegExp(`^snapshot\\.errors has 5001 keys, more than ${ERROR_CLASSES.length}$`),
    },
    {
      why: 'a status code named like an inherited property',
      change: (s) => Object.assign(s.statusCodes, { toString: 1 }),
      problem: /^snapshot\.statusCodes\.toString is not a status code$/,
    },
    {
      why: 'a __proto__ key',
      change: (s) => (s.statusCodes = JSON.parse('{"__proto__": 1}') as Record<string, number>),
      problem: /^snapshot\.statusCodes\.__proto__ is not a key$/,
    },
    {
      why: 'more status codes than responses',
      change: (s) => (s.statusCodes['500'] = 7),
      problem: /^snapshot\.statusCodes add up to 9, more than responses 2$/,
    },
    {
      why: 'a status count as a string',
      change: (s) => ((s.statusCodes as Record<string, unknown>)['200'] = '2'),
      problem: /^snapshot\.statusCodes\.200 is "2", not a count$/,
    },
    {
      why: 'too many error codes',
      change: (s) => {
        for (let i = 0; i < 40; i++) s.errorCodes![`E${i}`] = 0;
      },
      problem: /^snapshot\.errorCodes has 41 keys, more than 33$/,
    },
    {
      why: 'an error code longer than any',
      change: (s) => (s.errorCodes = { ['x'.repeat(101)]: 1 }),
      problem: /^snapshot\.errorCodes\.x+\.\.\. is not an error code$/,
    },
    {
      why: 'more error codes than failures',
      change: (s) => (s.errorCodes!.ECONNREFUSED = 2),
      problem: /^snapshot\.errorCodes add up to 2, more than failure 1$/,
    },
    // the histograms
    {
      why: 'histograms not encoded',
      change: (s) => ((part(s).histograms as unknown as Record<string, unknown>).latencyUs = 5),
      problem: /^snapshot\.steps\[0\]\.histograms\.latencyUs is 5, not a string/,
    },
    {
      why: 'a histogram of garbage',
      change: (s) => (s.histograms.latencyUs = 'AAAA'),
      problem: /^snapshot\.histograms\.latencyUs is not a compressed HdrHistogram/,
    },
    {
      why: 'a histogram that is not base64',
      change: (s) => (s.histograms.lagUs = 'not base64!'),
      problem: /^snapshot\.histograms\.lagUs is not base64$/,
    },
    {
      why: 'an inflate bomb',
      change: (s) => (part(s, 1).histograms.serviceUs = bomb(8 << 20)),
      problem: /^snapshot\.steps\[1\]\.histograms\.serviceUs inflates past \d+ bytes$/,
    },
    {
      why: 'another layout',
      change: (s) => (s.histograms.sizeBytes = fiveDigits()),
      problem: /^snapshot\.histograms\.sizeBytes has 5 significant digits, not 3$/,
    },
    {
      why: 'no histogram of the generator (an older agent)',
      change: (s) => delete (s.histograms as Partial<Snapshot['histograms']>).gcPauseUs,
      problem: null,
    },
    // the connections: timed like the rest, their protocols tallied like status codes
    {
      why: 'no connection histograms nor protocols (an agent older than them)',
      change: (s) => {
        delete (s.histograms as Partial<Snapshot['histograms']>).connectUs;
        delete (s.histograms as Partial<Snapshot['histograms']>).tlsHandshakeUs;
        delete s.protocols;
        delete s.tlsVersions;
      },
      problem: null,
    },
    {
      why: 'a handshake histogram of garbage',
      change: (s) => (s.histograms.tlsHandshakeUs = 'AAAA'),
      problem: /^snapshot\.histograms\.tlsHandshakeUs is not a compressed HdrHistogram/,
    },
    {
      why: 'a protocol that is not a word',
      change: (s) => (s.protocols = { 'http/1.1\u001b[2J': 1 }),
      problem: /^snapshot\.protocols\..* is not a protocol name$/,
    },
    {
      why: 'a TLS version counted as a string',
      change: (s) => ((s.tlsVersions as Record<string, unknown>)['TLSv1.3'] = '1'),
      problem: /^snapshot\.tlsVersions\.TLSv1\.3 is "1", not a count$/,
    },
    {
      why: 'too many protocols',
      change: (s) => {
        for (let i = 0; i < 40; i++) s.protocols![`p${i}`] = 1;
      },
      problem: /^snapshot\.protocols has 41 keys, more than 33$/,
    },
  ];
  for (const row of table) {
    const snapshot = wire() as Snapshot & Record<string, unknown>;
    row.change(snapshot);
    const checked = checkSnapshot(JSON.parse(JSON.stringify(snapshot)), { ...LIMITS, ...row.limits });
    if (row.problem === null) assert.notEqual(typeof checked, 'string', `${row.why}: ${checked as string}`);
    else assert.match(typeof checked === 'string' ? checked : 'no problem', row.problem, row.why);
  }
  for (const value of [null, 42, 'snapshot', [1]]) assert.equal(checkSnapshot(value, LIMITS), 'a snapshot that is not an object');
});

test('a snapshot that passes decodes to the very figures the trusted decoder gives', () => {
  const snapshot = wire();
  const checked = checkSnapshot(JSON.parse(JSON.stringify(snapshot)), LIMITS) as IntervalStats;
  const trusted = decodeSnapshot(snapshot);
  const figures = (stats: IntervalStats) => ({
    interval: stats.interval,
    phase: stats.phase,
    counts: stats.counts,
    statusCodes: stats.statusCodes,
    errors: stats.errors,
    errorCodes: stats.errorCodes,
    protocols: stats.protocols,
    tlsVersions: stats.tlsVersions,
    stepsClosed: stats.stepsClosed,
    histograms: Object.entries(stats.histograms).map(([name, h]) => [name, h.totalCount, percentile(h, 99, 1), percentile(h, 100, 1)]),
    steps: stats.steps.map((step) => [
      step.phase,
      step.counts,
      step.histograms.latencyUs.totalCount,
      percentile(step.histograms.latencyUs, 50, 1),
    ]),
  });
  assert.deepEqual(figures(checked), figures(trusted));
});

test("a box's error codes lose their control characters, and codes that then read the same are counted together", () => {
  const snapshot = wire();
  // one more request of step 1, refused
  for (const stats of [snapshot, snapshot.steps![1]!]) {
    stats.counts.scheduled += 1;
    stats.counts.requests += 1;
    stats.counts.failure += 1;
    stats.errors = { refused: 2 };
  }
  snapshot.errorCodes = { 'E\u001b[31mX': 1, 'E[31mX': 1 };
  const checked = checkSnapshot(snapshot, LIMITS) as IntervalStats;
  assert.deepEqual(checked.errorCodes, { 'E[31mX': 2 });
});

test("each message's shape is checked: a box's hello, pong, done and error; anything else is a protocol break", () => {
  const accepted = [
    { type: 'hello', version: '0.1.0', cores: 4, pid: 1234 },
    { type: 'pong', id: 0, remoteMs: 1_700_000_000_000.5 },
    { type: 'snapshot', runId: 1, snapshot: {} },
    { type: 'done', runId: 1, interrupted: false, elapsedS: 2.01, workerFailures: [{ workerIndex: 0, atS: 1, message: 'died' }] },
    { type: 'error', message: 'no' },
  ];
  for (const message of accepted) assert.deepEqual(checkAgentMessage(message), message);
  const refused: Array<[unknown, RegExp]> = [
    [null, /^a message that is not an object$/],
    [[], /^a message that is not an object$/],
    [{ type: 'surprise' }, /^a message of unknown type "surprise"$/],
    [{ type: 'toString' }, /^a message of unknown type "toString"$/],
    [{ type: 'hello', version: '\u001b]0;pwned\u0007', cores: 1, pid: 1 }, /^hello\.version is "\\u001b\]0;pwned\\u0007", not a version$/],
    [{ type: 'hello', version: '0.1.0', cores: 0, pid: 1 }, /^hello\.cores is 0, not a whole number from 1/],
    [{ type: 'pong', id: 'x', remoteMs: 1 }, /^pong\.id is "x", not a whole number/],
    [{ type: 'snapshot', runId: 1 }, /^snapshot\.snapshot is missing$/],
    [{ type: 'snapshot', runId: -1, snapshot: {} }, /^snapshot\.runId is -1/],
    [{ type: 'done', runId: 1, interrupted: false, elapsedS: 1 }, /^done\.workerFailures is missing$/],
    [{ type: 'done', runId: 1, interrupted: 'no', elapsedS: 1, workerFailures: [] }, /^done\.interrupted is "no", not true or false$/],
    [
      { type: 'done', runId: 1, interrupted: false, elapsedS: 1, workerFailures: [{ workerIndex: '0', atS: 1, message: 'x' }] },
      /^done\.workerFailures\[0\]\.workerIndex is "0"/,
    ],
    [
      { type: 'done', runId: 1, interrupted: false, elapsedS: 1, workerFailures: [{ workerIndex: 0, atS: 1 }] },
      /^done\.workerFailures\[0\]\.message is missing$/,
    ],
    [{ type: 'error', message: 42 }, /^error\.message is 42, not a string/],
  ];
  for (const [message, problem] of refused) assert.match(checkAgentMessage(message) as string, problem, JSON.stringify(message));
  // a type inherited from Object.prototype is no message of ours
  assert.match(checkAgentMessage(JSON.parse('{"type":"constructor"}')) as string, /unknown type/);
});

test("a done's worker failures must be the box's own workers", () => {
  const failure = (workerIndex: number) => ({ workerIndex, atS: 1, message: 'x' });
  assert.equal(failuresProblem([failure(0), failure(1)], 2), null);
  assert.equal(failuresProblem([failure(2)], 2), 'done.workerFailures[0].workerIndex is 2, the box has 2 workers');
  assert.equal(failuresProblem([failure(0), failure(0), failure(0)], 2), 'done names 3 failed workers, the box has 2');
});

/** A box's snapshot of a 3-endpoint mix: endpoint 0 answered twice, endpoint 2 once refused. */
function mixWire(): Snapshot {
  const recorder = new IntervalRecorder(new StepTimeline([1000]), 3);
  for (let i = 0; i < 3; i++) recorder.recordSent(0, 0);
  recorder.recordResponse(0, 200, 10, 0, 0, 5, 0);
  recorder.recordResponse(0, 200, 10, 0, 0, 7, 0);
  recorder.recordFailure(0, 'refused', 0, 'ECONNREFUSED', 2);
  return JSON.parse(JSON.stringify(encodeStats(decodeSnapshot(recorder.takeSnapshot(1, 0, 0, 1000))))) as Snapshot;
}

test("a mix's endpoint figures: taken when they add up, refused naming what does not", () => {
  const limits = { ...LIMITS, stepCount: 1, endpointCount: 3 };
  const checked = checkSnapshot(mixWire(), limits) as IntervalStats;
  assert.equal(typeof checked, 'object', String(checked));
  assert.deepEqual(
    checked.endpoints.map((part) => [part.endpoint, part.requests, part.success, part.failure, part.latencyUs.totalCount, part.errors]),
    [
      [0, 2, 2, 0, 2, {}],
      [2, 1, 0, 1, 0, { refused: 1 }],
    ],
  );
  type Parts = Array<Record<string, unknown>>;
  const table: Array<{ why: string; change: (snapshot: Snapshot & { endpoints?: Parts }) => void; reason: RegExp; limits?: object }> = [
    {
      why: 'an endpoint the run has not',
      change: (s) => {
        s.endpoints![1]!.endpoint = 3;
      },
      reason: /endpoints\[1\]\.endpoint is 3, not a whole number from 0 to 2/,
    },
    {
      why: 'one endpoint twice',
      change: (s) => {
        s.endpoints![1]!.endpoint = 0;
      },
      reason: /^two parts of endpoint 0$/,
    },
    {
      why: 'requests that are not success + failure',
      change: (s) => {
        s.endpoints![0]!.requests = 3;
      },
      reason: /endpoints\[0\]: requests 3 are not success 2 \+ failure 0/,
    },
    {
      why: 'errors that are not the failures',
      change: (s) => {
        s.endpoints![1]!.errors = { timeout: 2 };
      },
      reason: /errors add up to 2, failure is 1/,
    },
    {
      why: 'an unknown error class',
      change: (s) => {
        (s.endpoints![1] as Record<string, unknown>).errors = { weird: 1 };
      },
      reason: /is not an error class/,
    },
    {
      why: 'a histogram of more values than successes',
      change: (s) => {
        s.endpoints![0]!.latencyUs = s.endpoints![1]!.latencyUs;
      },
      reason: /endpoints\[0\]\.latencyUs holds 0 values, success is 2/,
    },
    {
      why: 'a histogram that is not one',
      change: (s) => {
        s.endpoints![0]!.latencyUs = 'AAAA';
      },
      reason: /endpoints\[0\]\.latencyUs /,
    },
    {
      why: 'endpoints that do not add up to the interval',
      change: (s) => void s.endpoints!.pop(),
      reason: /the endpoints' requests add up to 2, the interval's is 3/,
    },
    {
      why: 'a mix run without endpoints',
      change: (s) => {
        delete s.endpoints;
      },
      reason: /snapshot\.endpoints is missing from a run of a mix/,
    },
    { why: 'endpoints in a run without a mix', change: () => undefined, reason: /in a run without a mix/, limits: { endpointCount: 0 } },
  ];
  for (const row of table) {
    const snapshot = mixWire() as Snapshot & { endpoints?: Parts };
    row.change(snapshot);
    const result = checkSnapshot(snapshot, { ...limits, ...row.limits });
    assert.equal(typeof result, 'string', row.why);
    assert.match(result as string, row.reason, row.why);
  }
});
