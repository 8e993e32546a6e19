/**
 * The stress test's one line, end to end in the text report (`Breaking point: ~N req/s (M req/s
 * broke: ...)`, and its "below the first step" variant), with --no-stop-on-break and --max-errors
 * against a step that breaks. The server breaks by construction: a node:http server that fails
 * from its Nth request on, or fails every 20th, so which step breaks does not hang on timing.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportDocument } from '../../engine/report/document.js';
import { startRecordingServer, type Answer } from '../helpers/recording-server.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';

const dir = await mkdtemp(join(tmpdir(), 'stress-ramp-line-'));
after(() => rm(dir, { recursive: true, force: true }));

const answer =
  (fails: (index: number) => boolean): Answer =>
  (index, _request, response) => {
    response.statusCode = fails(index) ? 500 : 200;
    response.end();
  };
/** 200 for the first step of 100 req/s (and 10 requests of slack at its edge), then only 500s */
const FAILS_AFTER_FIRST_STEP = answer((index) => index >= 110);
/** one request in 20 fails: 5% in every step */
const FAILS_ONE_IN_20 = answer((index) => index % 20 === 19);

let runs = 0;

/** A ramp of 1 s steps against a server answering `fails`: its text on stdout, and its JSON document. */
async function ramp(server: Answer, args: string[]): Promise<{ text: string; document: ReportDocument }> {
  const target = await startRecordingServer(server);
  const out = join(dir, `ramp-${++runs}.json`);
  try {
    const common = ['--step', '1s', '--warmup', '0', '--workers', '1', '--max-lag', CONTENTION_MAX_LAG, '--quiet', '--out', out];
    const run = await runStress([`${target.url}/`, ...common, ...args], 30_000);
    assert.equal(run.code, 0, run.stderr);
    return { text: run.stdout, document: JSON.parse(await readFile(out, 'utf8')) as ReportDocument };
  } finally {
    await target.close();
  }
}

const verdicts = (document: ReportDocument): string[] => document.steps!.map((step) => `${step.offered}:${step.verdict}`);

test('a step that held, then one that broke: "Breaking point: ~100 req/s (200 req/s broke: ...)", and the ramp stops there', async () => {
  const { text, document } = await ramp(FAILS_AFTER_FIRST_STEP, ['--ramp', '100:300', '--steps', '3']);
  assert.deepEqual(verdicts(document), ['100:held', '200:broke'], text);
  assert.match(text, /^Breaking point: ~100 req\/s \(200 req\/s broke: errors \d+(\.\d)?% > 1\.0%\)$/m);
});

test('--no-stop-on-break: every step runs and is judged after the break, and the breaking point is still the first', async () => {
  const { text, document } = await ramp(FAILS_AFTER_FIRST_STEP, ['--ramp', '100:300', '--steps', '3', '--no-stop-on-break']);
  assert.deepEqual(verdicts(document), ['100:held', '200:broke', '300:broke'], text);
  assert.equal(document.totals.scheduled, 600, 'all three steps were offered');
  assert.match(text, /^Breaking point: ~100 req\/s \(200 req\/s broke: errors \d+(\.\d)?% > 1\.0%\)$/m);
});

test('a first step that breaks: "Breaking point: below 100 req/s (the first step broke: ...)"', async () => {
  const { text, document } = await ramp(FAILS_ONE_IN_20, ['--ramp', '100:200', '--steps', '2']);
  assert.deepEqual(verdicts(document), ['100:broke'], text);
  assert.match(text, /^Breaking point: below 100 req\/s \(the first step broke: errors 5(\.0)?% > 1\.0%\)$/m);
});

test('--max-errors 10%: the same 5% of failures holds every step; --max-errors 0.04 breaks the first', async () => {
  const tolerant = await ramp(FAILS_ONE_IN_20, ['--ramp', '100:200', '--steps', '2', '--max-errors', '10%']);
  assert.deepEqual(verdicts(tolerant.document), ['100:held', '200:held'], tolerant.text);
  assert.match(tolerant.text, /^No breaking point: the server held every step up to 200 req\/s$/m);
  const strict = await ramp(FAILS_ONE_IN_20, ['--ramp', '100:200', '--steps', '2', '--max-errors', '0.04']);
  assert.deepEqual(verdicts(strict.document), ['100:broke'], strict.text);
  assert.match(strict.text, /^Breaking point: below 100 req\/s \(the first step broke: errors 5(\.0)?% > 4\.0%\)$/m);
});
