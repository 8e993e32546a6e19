/**
 * Load boxes that break the protocol, end to end: the real CLI, real ssh and sshd (one box
 * address, listed once per box), the real target. Each box runs the real agent behind a tap
 * (helpers/bad-agent.ts) that turns one of its messages into a bad one. Whatever a box sends, the
 * controller must not crash, hang or grow without bound: the box is marked lost with the reason,
 * what it sent before stays merged, the other boxes run to the end, and the summary holds only
 * figures that add up and text that cannot drive a terminal.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { ERROR_CLASSES } from '../../engine/measure/snapshot.js';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { runStress } from '../helpers/stress-cli.js';
import { useTargetAndBoxes } from '../helpers/target-and-boxes.js';

const BAD_AGENT = fileURLToPath(new URL('../helpers/bad-agent.js', import.meta.url));
/** Per box: 20 req/s for 2 s in 500 ms intervals, so every box sends several snapshots. */
const RATE_PER_BOX = 20;

const fixture = useTargetAndBoxes(['127.0.0.2']);
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-bad-box-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A run on one box per kind (kind i on the box of slot i); the first is normally `honest`. */
function boxArgs(kinds: readonly string[]): string[] {
  const box = fixture.boxes[0]!;
  return [
    `${fixture.target.url}/hello`,
    '--rate',
    String(RATE_PER_BOX * kinds.length),
    '--duration',
    '2s',
    '--warmup',
    '0',
    '--interval',
    '500ms',
    ...fixture.remoteArgs(
      kinds.map(() => box.agent),
      `${process.execPath} --single-threaded-gc ${BAD_AGENT} ${kinds.join(',')}`,
    ),
  ];
}

type Boxes = NonNullable<Summary['remote']>['agents'];

function parse(stdout: string): Summary & { remote: { agents: Boxes } } {
  const summary = JSON.parse(stdout) as Summary;
  assertInvariants(summary);
  assert.ok(summary.remote, 'a remote run reports its boxes');
  return summary as Summary & { remote: { agents: Boxes } };
}

/** The honest box ran its whole share; each bad one is lost with its reason and kept what it sent before. */
function assertLost(boxes: Boxes, reasons: readonly RegExp[]): void {
  assert.equal(boxes[0]!.lost, null, 'the honest box ran to the end');
  assert.equal(boxes[0]!.scheduled, 2 * RATE_PER_BOX, 'the honest box was due its whole share');
  reasons.forEach((reason, index) => {
    const box = boxes[index + 1]!;
    assert.ok(box.lost, `box ${index + 1} is lost (expected ${reason})`);
    assert.match(box.lost.message, reason, `box ${index + 1}`);
    assert.ok(box.scheduled > 0, `box ${index + 1}: what it sent before its bad message is kept`);
  });
}

/** Bytes that drive a terminal: C0 controls but tab and newline, DEL, C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** The highest resident set size the process reached, polled from /proc until it exits. */
function peakRss(child: ChildProcess): () => number {
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKiB = Math.max(peakKiB, Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0));
    } catch {
      clearInterval(poll); // gone
    }
  }, 50);
  child.once('close', () => clearInterval(poll));
  return () => peakKiB * 1024;
}

test('item 3: a bad histogram and a done without workerFailures lose their boxes, not the run: summary and --out are written', async () => {
  const out = join(dir, 'crash.json');
  const run = await runStress(
    [...boxArgs(['honest', 'histogram-garbage', 'done-without-failures']), '--json', '--quiet', '--out', out],
    45_000,
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  assertLost(summary.remote.agents, [
    /^broke the protocol: .*histograms\.latencyUs .*not .*HdrHistogram/,
    /^broke the protocol: done\.workerFailures is missing/,
  ]);
  assert.equal(summary.remote.agents[2]!.scheduled, 2 * RATE_PER_BOX, 'a box lost at its done kept all it sent');
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), JSON.parse(run.stdout), '--out holds the summary');
  const page = await runStress(['report', out, '--html', join(dir, 'crash.html')], 20_000);
  assert.equal(page.code, 0, `the saved summary of a run with lost boxes renders again: ${page.stderr}`);
});

test('item 4: an interval or a phase far beyond the plan loses the box at once; nothing walks up to it', async () => {
  const run = await runStress([...boxArgs(['honest', 'interval-far', 'phase-far']), '--json', '--quiet'], 30_000);
  assert.equal(run.signal, null, `the controller had to be killed: ${run.stderr}`);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.elapsedMs < 20_000, `done in ${run.elapsedMs} ms`);
  assertLost(parse(run.stdout).remote.agents, [
    /^broke the protocol: snapshot\.interval is 1000000000000000, /,
    /^broke the protocol: snapshot\.phase is 1000000000000000, /,
  ]);
});

test("item 5: a line without end and a histogram that inflates without end are cut at their limits; the controller's memory stays bounded", async (t) => {
  let peak = () => 0;
  const run = await runStress([...boxArgs(['honest', 'long-line', 'inflate-bomb']), '--json', '--quiet'], 45_000, (child) => {
    peak = peakRss(child);
  });
  assert.equal(run.code, 0, run.stderr);
  assertLost(parse(run.stdout).remote.agents, [
    /^broke the protocol: a line longer than 16 MiB$/,
    /^broke the protocol: .*histograms\.latencyUs inflates past \d+ bytes/,
  ]);
  // the box sent 128 MiB on one line, and a 256 MiB histogram: neither is held whole
  t.diagnostic(`the controller's peak resident set: ${Math.round(peak() / 2 ** 20)} MiB`);
  assert.ok(peak() < 200 * 2 ** 20, `the controller peaked at ${Math.round(peak() / 2 ** 20)} MiB`);
});

test('item 6: strings, negatives, 1e308, an uncapped errors tally, an inherited key, another layout or type: each box is lost, nothing of it reaches the result', async () => {
  const kinds = ['honest', 'huge-count', 'negative-bytes', 'string-count', 'errors-tally', 'inherited-key', 'layout', 'unknown-type'];
  const run = await runStress([...boxArgs(kinds), '--json', '--quiet'], 60_000);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  assertLost(summary.remote.agents, [
    /^broke the protocol: .*counts\.success is 1e\+308, not a count/,
    /^broke the protocol: .*counts\.bodyBytes is -5, not a count/,
    /^broke the protocol: .*counts\.generatorBusyMs is "007", not a number/,
    new RegExp(`^broke the protocol: .*errors has 500\\d keys, more than ${ERROR_CLASSES.length}$`),
    /^broke the protocol: .*statusCodes\.toString is not a status code/,
    /^broke the protocol: .*histograms\.latencyUs has 5 significant digits, not 3/,
    /^broke the protocol: a message of unknown type "surprise"$/,
  ]);
  // the totals as printed: whole numbers, no "007", no "1e+308", no "-5"
  const text = (summary as unknown as { text: string }).text;
  for (const line of ['Request', 'Success', 'Failure', 'Dropped']) assert.match(text, new RegExp(`^ {4}${line}: (0|[1-9]\\d*)$`, 'm'));
  for (const [key, value] of Object.entries(summary.totals.statusCodes)) assert.equal(typeof value, 'number', key);
  assert.ok(summary.totals.success <= summary.totals.requests && summary.totals.requests < 1000, `success ${summary.totals.success}`);
});

test("item 6: a box's escape sequences (its error, a worker failure, its hello, its ssh stderr) are stripped before any terminal sees them", async () => {
  const run = await runStress(boxArgs(['honest', 'error-escapes', 'failure-escapes']), 45_000);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, TERMINAL_CONTROLS, 'the text summary');
  assert.doesNotMatch(run.stderr, TERMINAL_CONTROLS, 'the notices');
  assert.match(run.stdout, /^Load box \S+ was lost at [\d.]+ s: agent said: .*boom.*stress: forged line/m);
  assert.match(run.stdout, /^Worker 2 failed at [\d.]+ s: agent \S+: .*boom.*stress: forged line \(its data up to then is kept\)$/m);
  assert.doesNotMatch(run.stdout, /^stress: forged line/m, 'no line forged by the box');

  for (const kind of ['hello-escapes', 'hello-exit-escapes']) {
    const refused = await runStress(boxArgs([kind]), 30_000);
    assert.equal(refused.code, 1, refused.stderr);
    // the box's ssh command line, as it was started, then one line of the failure
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 2, `${kind}: ${refused.stderr}`);
    assert.match(lines[1]!, /^stress: agent \S+: .*(boom|forged line)/, kind);
    assert.doesNotMatch(refused.stderr, TERMINAL_CONTROLS, kind);
  }
});
