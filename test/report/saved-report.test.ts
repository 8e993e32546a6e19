/**
 * `stress report` on a saved JSON that is not a stress summary, or one whose fields are of the
 * wrong kind: refused with exit 2 in one line naming the field, and no page written. A saved
 * report of any version still renders.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSavedReport } from '../../engine/report/saved-report-check.js';
import { FIXTURES, loadFixture } from '../helpers/fixtures.js';
import { runStress } from '../helpers/stress-cli.js';

const dir = await mkdtemp(join(tmpdir(), 'stress-saved-report-'));
after(() => rm(dir, { recursive: true, force: true }));

/** A fixture with one change, as another program or a hand edit could leave it. */
function edited(change: (report: Record<string, unknown>) => void): unknown {
  const report = loadFixture('report-ramp') as unknown as Record<string, unknown>;
  change(report);
  return report;
}

test('stress report refuses a saved JSON of the wrong shape with exit 2, one line naming the field, and writes nothing', async () => {
  const cases: Array<{ name: string; content: unknown; reason: RegExp }> = [
    { name: 'empty', content: { totals: {}, latencyMs: {} }, reason: /: mode is missing$/ },
    { name: 'array', content: [1, 2], reason: /is not a stress summary: it is not an object$/ },
    {
      name: 'intervals',
      content: edited((r) => (r.intervals = 'no')),
      reason: /: intervals is "no", not a list$/,
    },
    {
      name: 'count',
      content: edited((r) => ((r.totals as Record<string, unknown>).requests = '007')),
      reason: /: totals\.requests is "007", not a number$/,
    },
    {
      name: 'step',
      content: edited((r) => ((r.steps as Array<Record<string, unknown>>)[1]!.latencyMs = null)),
      reason: /: steps\[1\]\.latencyMs is null, not an object$/,
    },
    {
      name: 'verdicts',
      content: edited((r) => (r.verdicts = [1])),
      reason: /: verdicts\[0\] is 1, not a string/,
    },
  ];
  for (const { name, content, reason } of cases) {
    const input = join(dir, `${name}.json`);
    const html = join(dir, `${name}.html`);
    await writeFile(input, JSON.stringify(content));
    const run = await runStress(['report', input, '--html', html], 20_000);
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${name}: one line: ${run.stderr}`);
    assert.match(lines[0]!, /^stress report: ".*\.json" is not a stress summary/, name);
    assert.match(lines[0]!, reason, name);
    assert.equal(existsSync(html), false, `${name}: no page written`);
  }
});

/** A run's connections as a summary of this version saves them. */
const CONNECTIONS = {
  opened: 8,
  connectMs: { min: 0.1, mean: 0.2, p50: 0.2, p90: 0.3, p99: 0.4, p999: 0.4, max: 0.4 },
  tlsHandshakeMs: { min: 1, mean: 1.5, p50: 1.4, p90: 2, p99: 3, p999: 3, max: 3 },
  protocols: { 'http/1.1': 8 },
  tlsVersions: { 'TLSv1.3': 8 },
};

test('the check reads every field the page reads, of the kind it reads; every saved summary passes it', () => {
  for (const name of FIXTURES) assert.equal(typeof checkSavedReport(loadFixture(name)), 'object', name);
  // the fields of this version: the connections, and whether the certificate was verified
  assert.equal(typeof checkSavedReport({ ...loadFixture('report-load'), connections: CONNECTIONS, insecure: true }), 'object');
  // a summary too short for the endurance analysis says so with nulls
  assert.equal(typeof checkSavedReport({ ...loadFixture('report-load'), outages: null, drift: null }), 'object');
  const table: Array<[(report: Record<string, unknown>) => void, string]> = [
    [(r) => (r.mode = 'soak'), 'mode is "soak", not one of "rate", "clients", "ramp"'],
    [(r) => (r.interrupted = 'no'), 'interrupted is "no", not true or false'],
    [(r) => delete r.throughput, 'throughput is missing'],
    [(r) => ((r.latencyMs as Record<string, unknown>).p99 = '4ms'), 'latencyMs.p99 is "4ms", not a number'],
    [(r) => ((r.intervals as unknown[])[3] = null), 'intervals[3] is null, not an object'],
    [
      (r) => (r.workerFailures = [{ workerIndex: '<b>', atS: 1, message: 'x' }]),
      'workerFailures[0].workerIndex is "<b>", not a whole number from 0 to 9007199254740991',
    ],
    [
      (r) => ((r.steps as Array<Record<string, unknown>>)[0]!.verdict = 'fine'),
      'steps[0].verdict is "fine", not one of "held", "broke", "generator-limited"',
    ],
    [(r) => (r.breakingPoint = { rate: 1 }), 'breakingPoint.brokeAt is missing'],
    [(r) => ((r.run as Record<string, unknown>).agents = 'box1'), 'run.agents is "box1", not a list'],
    [(r) => (r.text = 42), 'text is 42, not a string of at most 10000000 characters'],
    [(r) => ((r.totals as Record<string, unknown>).statusCodes = { 200: 'many' }), 'totals.statusCodes.200 is "many", not a number'],
    [(r) => (r.insecure = 'yes'), 'insecure is "yes", not true or false'],
    [(r) => (r.connections = { ...CONNECTIONS, opened: '8' }), 'connections.opened is "8", not a number'],
    [
      (r) => (r.connections = { ...CONNECTIONS, tlsVersions: { 'TLSv1.3': 'all' } }),
      'connections.tlsVersions.TLSv1.3 is "all", not a number',
    ],
  ];
  for (const [change, reason] of table) {
    const report = loadFixture('report-ramp') as unknown as Record<string, unknown>;
    change(report);
    assert.equal(checkSavedReport(report), reason);
  }
  for (const value of [null, 42, 'summary', []]) assert.equal(checkSavedReport(value), 'it is not an object');
});

test('every saved report, old and new, still renders', async () => {
  for (const name of FIXTURES) {
    const input = join(dir, `${name}.json`);
    const html = join(dir, `${name}.html`);
    await writeFile(input, JSON.stringify(loadFixture(name)));
    const run = await runStress(['report', input, '--html', html], 20_000);
    assert.equal(run.code, 0, `${name}: ${run.stderr}`);
    assert.ok(existsSync(html), name);
  }
});
