// bin/target-server as a process (exit codes, stderr, signals, the fallback engine), the
// start/stop scripts, and the in-process API that `stress` uses when given no URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { startTargetServer, TargetOptionsError } from '../../target-server/server.js';
import { spawnTarget, TARGET_BIN } from '../helpers/spawn-target.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the bin to completion; resolves with exit code and output (never rejects on exit != 0). */
async function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TARGET_BIN, ...args], { timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** 'gone' once `pid` has exited (a zombie not yet reaped by whoever adopted it counts as gone). */
async function runningState(pid: number): Promise<'running' | 'gone'> {
  try {
    const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]);
    return stdout.trim() === '' || stdout.trim().startsWith('Z') ? 'gone' : 'running';
  } catch {
    return 'gone'; // ps exits 1 when there is no such process
  }
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: { connection: 'close' } });
  return { status: response.status, text: await response.text() };
}

test('bad flags and values: exit 2, one line on stderr naming the problem, no stack trace', async () => {
  const table: Array<[string[], RegExp]> = [
    [['--nope'], /unknown flag --nope/],
    [['--latency', 'soon'], /--latency: "soon" is not a duration/],
    [['--fail-rate', '1.5'], /--fail-rate: "1\.5" is not a fraction/],
    [['--pause-every', '1s'], /--pause-every: needs --pause-for/],
    [['--port', '99999'], /--port: "99999" must be a whole number from 0 to 65535/],
    [['--queue', '5'], /--queue: only applies with --capacity/],
    [['--capacity'], /--capacity: needs a value/],
    [['extra'], /unexpected argument 'extra'/],
  ];
  const results = await Promise.all(table.map(([args]) => runBin(args)));
  results.forEach(({ code, stdout, stderr }, index) => {
    const [args, expected] = table[index]!;
    const label = args.join(' ');
    assert.equal(code, 2, label);
    assert.equal(stdout, '', label);
    assert.match(stderr, /^target-server: [^\n]+\n$/, `exactly one line for ${label}: ${JSON.stringify(stderr)}`);
    assert.match(stderr, expected, label);
    assert.doesNotMatch(stderr, /\n\s+at /, label);
  });
});

test('--help: every flag with units and defaults on stdout, exit 0', async () => {
  const { code, stdout } = await runBin(['--help']);
  assert.equal(code, 0);
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
  ]) {
    assert.match(stdout, new RegExp(`^\\s+${flag} `, 'm'), flag);
  }
  assert.match(stdout, /default 8000/);
});

test('SIGTERM: stops listening, lets the in-flight /delay finish, exits 0 within 2 s', async () => {
  const target = await spawnTarget([]);
  const inFlight = get(`${target.url}/delay/700`);
  await new Promise((resolve) => setTimeout(resolve, 150));
  const signalledAt = performance.now();
  const exitCode = target.stop();
  const answer = await inFlight;
  assert.equal(answer.status, 200);
  assert.equal(answer.text, 'delayed 700 ms\n');
  assert.equal(await exitCode, 0, target.stderr());
  const tookMs = performance.now() - signalledAt;
  assert.ok(tookMs < 2000, `exit took ${tookMs} ms`);
  // nobody listens any more
  await assert.rejects(get(`${target.url}/health`));
});

test('SIGTERM with idle keep-alive connections and a request that outlives the drain: still exits 0 within 2 s', async () => {
  const target = await spawnTarget([]);
  const pool = new Pool(target.url, { connections: 4 });
  try {
    for (let i = 0; i < 4; i += 1) await (await pool.request({ path: '/hello', method: 'GET' })).body.dump();
    const stuck = pool.request({ path: '/delay/60000', method: 'GET' }).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledAt = performance.now();
    assert.equal(await target.stop(), 0);
    assert.ok(performance.now() - signalledAt < 2000, `exit took ${performance.now() - signalledAt} ms`);
    assert.equal(await stuck, 'dropped');
  } finally {
    await pool.destroy();
  }
});

test('SIGINT also stops it with exit 0', async () => {
  const target = await spawnTarget([]);
  const exited = new Promise<number | null>((resolve) => target.child.once('exit', resolve));
  target.child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('a port in use: exit 1 with one line (listening is exclusive, never shared)', async () => {
  const first = await spawnTarget([]);
  try {
    const port = new URL(first.url).port;
    const { code, stdout, stderr } = await runBin(['--port', port]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^target-server: cannot listen on 127\\.0\\.0\\.1:${port}: [^\\n]+\\n$`));
  } finally {
    assert.equal(await first.stop(), 0);
  }
});

test('the fallback engine is reported as such, and its banner does not take the first stdout line', async () => {
  const target = await spawnTarget([], { env: { ...process.env, UWS_USE_FALLBACK: '1' } });
  try {
    assert.equal(target.engine, 'fallback');
    assert.match(target.line, /^listening on http:\/\/127\.0\.0\.1:\d+ \(uWebSockets\.js fallback\)$/);
    // it still serves (slowly), including bodies larger than one filler buffer
    assert.equal((await get(`${target.url}/hello`)).status, 200);
    const bytes = await fetch(`${target.url}/bytes/200000`, { headers: { connection: 'close' } });
    assert.equal((await bytes.arrayBuffer()).byteLength, 200_000);
  } finally {
    await target.stop();
  }
  assert.match(target.stderr(), /fallback/, 'the banner went to stderr');
});

test('scripts/target-start.sh and target-stop.sh: background start with pid file, clean stop', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'target-scripts-'));
  const env = { ...process.env, TARGET_SERVER_PID_FILE: join(scratch, 'target.pid'), TARGET_SERVER_LOG: join(scratch, 'target.log') };
  try {
    const started = await run('sh', [join(REPO, 'scripts/target-start.sh'), '--port', '0', '--latency', '1ms'], { env, timeout: 15_000 });
    const url = /^listening on (http:\/\/127\.0\.0\.1:\d+) \(uWebSockets\.js native\)$/m.exec(started.stdout)?.[1];
    assert.ok(url, `start printed: ${started.stdout}`);
    const pid = Number(readFileSync(env.TARGET_SERVER_PID_FILE, 'utf8'));
    assert.ok(pid > 0);
    assert.equal((await get(`${url}/health`)).status, 200);

    // a second start refuses while the first runs
    await assert.rejects(run('sh', [join(REPO, 'scripts/target-start.sh'), '--port', '0'], { env, timeout: 15_000 }), /already running/);

    const stopped = await run('sh', [join(REPO, 'scripts/target-stop.sh')], { env, timeout: 15_000 });
    assert.match(stopped.stdout, new RegExp(`stopped \\(pid ${pid}\\)`));
    assert.equal(existsSync(env.TARGET_SERVER_PID_FILE), false);
    assert.equal(await runningState(pid), 'gone');
    const again = await run('sh', [join(REPO, 'scripts/target-stop.sh')], { env, timeout: 15_000 });
    assert.match(again.stdout, /not running/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('in-process API: startTargetServer on 127.0.0.1:0, then close() drains in-flight requests', async () => {
  const server = await startTargetServer({ host: '127.0.0.1', port: 0, latencyMs: 10 });
  assert.equal(server.engine, 'native');
  assert.equal(server.host, '127.0.0.1');
  assert.ok(server.port > 0);
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  assert.equal((await get(`${server.url}/hello`)).status, 200);
  const inFlight = get(`${server.url}/delay/300`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closing = server.close();
  assert.equal(server.close(), closing, 'close() twice returns the same promise');
  assert.equal((await inFlight).status, 200);
  await closing;
  await assert.rejects(get(`${server.url}/hello`));
});

test('in-process API: close(0) drops every connection at once, and cuts short a drain under way', async () => {
  for (const closeFirst of [false, true]) {
    const server = await startTargetServer({ host: '127.0.0.1', port: 0 });
    const inFlight = get(`${server.url}/delay/5000`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    // a drain under way (the default waits up to 1.5 s for the 5 s answer), or none
    if (closeFirst) void server.close();
    await server.close(0);
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 1000, `closed in ${tookMs} ms, not after a drain`);
    assert.equal(await inFlight, 'dropped');
  }
});

test('in-process API: bad options reject with every problem at once', async () => {
  await assert.rejects(startTargetServer({ failRate: 2, pauseForMs: 10, capacity: 0 }), (error: unknown) => {
    assert.ok(error instanceof TargetOptionsError);
    assert.equal(error.problems.length, 3);
    assert.match(error.message, /--fail-rate: .*--capacity: .*--pause-for: /);
    return true;
  });
});
