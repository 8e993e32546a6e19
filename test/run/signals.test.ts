/**
 * Stopping: SIGINT, SIGTERM and SIGHUP give the partial merged summary and exit 128 + the signal's
 * number (130, 143, 129); bad input exits 2 in one line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Summary } from '../../engine/summary/summary.js';
import { mapConcurrently } from '../helpers/concurrently.js';
import { assertInvariants } from '../helpers/invariants.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { onLoadStarted, runStress } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(async () => {
  await target.stop();
});

/** The README's bound on the drain after a signal: requests in flight get up to 2 s. */
const DRAIN_MS = 2000;
/**
 * What the process may take beyond the drain to merge, print and exit, on a busy 2-core machine
 * (measured: about 0.2 s after a full drain, 0.5 s after a short one).
 */
const EXIT_MARGIN_MS = 1500;

/**
 * Runs stress against `path` (no --quiet: its progress line says when the load began) and sends
 * `signal` once the load has run `afterLoadMs`; returns the run and when the signal was sent.
 */
async function signalledRun(
  path: string,
  rate: number,
  signal: NodeJS.Signals,
  afterLoadMs: number,
): Promise<{ run: Awaited<ReturnType<typeof runStress>>; loadS: number; signalledAt: number; exitedAt: number }> {
  let signalledAt = 0;
  let loadS = 0;
  // no warm-up: every request sent before the signal is counted
  const run = await runStress(
    [`${target.url}${path}`, '--rate', String(rate), '--duration', '30s', '--warmup', '0', '--json'],
    30_000,
    (child) =>
      onLoadStarted(child, (seconds) => {
        loadS = seconds;
        setTimeout(
          () => {
            signalledAt = Date.now();
            child.kill(signal);
          },
          afterLoadMs - seconds * 1000,
        );
      }),
  );
  const exitedAt = Date.now();
  assert.ok(signalledAt > 0, `the load started and the signal was sent; stderr: ${run.stderr}`);
  return { run, loadS, signalledAt, exitedAt };
}

test('SIGINT: stop scheduling, drain, print the partial summary marked interrupted, exit 130', async () => {
  // /delay/300 keeps requests in flight at the moment of the signal; they get up to 2 s to finish
  const { run, signalledAt, exitedAt } = await signalledRun('/delay/300', 100, 'SIGINT', 1000);
  assert.equal(run.code, 130, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  assert.equal(summary.interrupted, true);
  // 1 s of load at 100/s before the signal (more if the progress line came late), none after it
  assert.ok(summary.totals.requests >= 95 && summary.totals.requests <= 300, `requests ${summary.totals.requests}`);
  assert.ok(summary.totals.success >= summary.totals.requests - 5, 'in-flight requests were given time to finish');
  assert.ok(exitedAt - signalledAt < DRAIN_MS + EXIT_MARGIN_MS, `exited ${exitedAt - signalledAt} ms after the signal`);
  assert.match(run.stderr, /SIGINT: stopping, waiting up to 2 s for requests in flight/);
});

test('SIGTERM against a server that never answers: in flight counts as interrupted, not lost, after a drain of 2 s', async () => {
  const { run, signalledAt, exitedAt } = await signalledRun('/delay/60000', 50, 'SIGTERM', 1000);
  assert.equal(run.code, 143, `128 + SIGTERM's number, as a shell reports it; stderr: ${run.stderr}`);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  assert.equal(summary.totals.success, 0);
  // every request was still in flight at the signal: 1 s of load at 50/s
  assert.ok(summary.totals.requests >= 48 && summary.totals.requests <= 150, JSON.stringify(summary.totals));
  assert.equal(summary.totals.errors.interrupted, summary.totals.requests, JSON.stringify(summary.totals));
  // nothing answers, so the drain is given its whole 2 s, and no more
  const drained = exitedAt - signalledAt;
  assert.ok(drained >= DRAIN_MS - 100, `exited ${drained} ms after the signal: the requests in flight were given 2 s`);
  assert.ok(drained < DRAIN_MS + EXIT_MARGIN_MS, `exited ${drained} ms after the signal: the drain is at most 2 s`);
});

test('SIGHUP (the terminal closed): the partial summary is still printed, exit 129', async () => {
  const { run, signalledAt, exitedAt } = await signalledRun('/delay/300', 50, 'SIGHUP', 1000);
  assert.equal(run.code, 129, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  assert.equal(summary.interrupted, true);
  assert.ok(summary.totals.requests >= 48 && summary.totals.requests <= 150, JSON.stringify(summary.totals));
  assert.ok(exitedAt - signalledAt < DRAIN_MS + EXIT_MARGIN_MS, `exited ${exitedAt - signalledAt} ms after the signal`);
  assert.match(run.stderr, /SIGHUP: stopping/);
});

test('a second signal quits at once, without waiting out the drain', async () => {
  let firstAt = 0;
  let secondAt = 0;
  const run = await runStress(
    [`${target.url}/delay/60000`, '--rate', '50', '--duration', '30s', '--warmup', '0', '--json'],
    30_000,
    (child) =>
      // both signals during the load: the first starts the 2 s drain, the second comes well inside it
      onLoadStarted(child, () => {
        firstAt = Date.now();
        child.kill('SIGINT');
        setTimeout(() => {
          secondAt = Date.now();
          child.kill('SIGINT');
        }, 300);
      }),
  );
  const exitedAt = Date.now();
  assert.equal(run.code, 130, run.stderr);
  assert.ok(secondAt > firstAt && firstAt > 0);
  assert.ok(exitedAt - secondAt < 1000, `exited ${exitedAt - secondAt} ms after the second signal (the drain would take 2,000)`);
  assert.equal(run.stdout, '', 'no summary: the user asked to quit now');
  assert.match(run.stderr, /SIGINT: stopping, waiting up to 2 s/);
});

test('Ctrl-C while a load box is still connecting: ssh is ended, no load is sent, exit 130 at once', async () => {
  // a "load box" that accepts the connection and never says a word: ssh waits for its banner
  const open = new Set<Socket>();
  let reached!: () => void;
  const connected = new Promise<void>((resolve) => (reached = resolve));
  const silentBox = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.resume(); // read, so that ssh's end of the connection is seen
    reached();
  });
  await new Promise<void>((resolve) => silentBox.listen(0, '127.0.0.1', resolve));
  const { port } = silentBox.address() as AddressInfo;
  let signalledAt = 0;
  try {
    const run = await runStress(
      [`${target.url}/hello`, '--rate', '100', '--duration', '5s', `--agents=127.0.0.1:${port}`, '--json'],
      30_000,
      (child) => {
        void connected.then(() =>
          setTimeout(() => {
            signalledAt = Date.now();
            child.kill('SIGINT');
          }, 200),
        );
      },
    );
    const exitedAt = Date.now();
    assert.equal(run.code, 130, `exit ${run.code ?? run.signal}: ${run.stderr}`);
    assert.ok(
      signalledAt > 0 && exitedAt - signalledAt < 5000,
      `exited ${exitedAt - signalledAt} ms after the signal (ssh would wait 10 s for the banner)`,
    );
    assert.match(run.stderr, /SIGINT: stopping before any load is sent/);
    assert.match(run.stderr, /^stress: interrupted while connecting to the load boxes; no load was sent$/m);
    assert.equal(run.stdout, '', 'no run, no summary');
    // ssh was ended, so its connection to the box is closed
    for (const until = Date.now() + 3000; open.size > 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(open.size, 0, 'the ssh connection to the box is closed');
  } finally {
    silentBox.close();
  }
});

test('bad input: exit 2 with one line naming the problem, never a stack trace', async () => {
  const table: Array<{ args: string[]; says: RegExp }> = [
    { args: ['not-a-url'], says: /url: "not-a-url" is not a URL/ },
    { args: ['ftp://127.0.0.1/'], says: /must be http/ },
    { args: ['--rate', '0'], says: /--rate: "0" must be more than 0/ },
    { args: ['--rate', '-10'], says: /--rate/ },
    { args: ['--duration', 'forever'], says: /--duration: "forever" is not a duration/ },
    { args: ['--frobnicate'], says: /Unknown argument: frobnicate/ },
    { args: ['--rate', '10', '--clients', '2'], says: /contradict/ },
    { args: ['--body-file', '/does/not/exist'], says: /--body-file: cannot read/ },
  ];
  const runs = await mapConcurrently(table, (row) => runStress(row.args, 10_000));
  for (const [index, row] of table.entries()) {
    const run = runs[index]!;
    assert.equal(run.code, 2, `${row.args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, row.says);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.equal(run.stdout, '');
  }
});

test('--help exits 0 and explains every flag', async () => {
  const run = await runStress(['--help'], 10_000);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--max-inflight/);
  assert.match(run.stdout, /due time/);
});
