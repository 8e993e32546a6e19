/**
 * The README's benchmark commands run to the end (issue 17, claim 14): `npm run bench` and
 * `npm run benchmarks`, each in its --smoke mode, which runs every part of it for a moment. A
 * smoke test, not a timing: the figures are only checked to be there. wrk2 is optional (WRK2),
 * so it is left out here; Debian's wrk is a test prerequisite.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnTarget } from '../helpers/spawn-target.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-bench-smoke-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** `node dist/scripts/<script> args`, as its npm script runs it, without WRK2; killed after `limitMs`. */
function runScript(script: string, args: string[], limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { WRK2: _optional, ...env } = process.env;
  const child = spawn(process.execPath, [join(SCRIPTS, script), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The cells of the markdown table row that starts with `| first |`, or null. */
function row(markdown: string, first: string): string[] | null {
  const line = markdown.split('\n').find((candidate) => candidate.startsWith(`| ${first} |`));
  return line === undefined
    ? null
    : line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
}

/** The part of `markdown` from `heading` to the next heading of any level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `a section "${heading}"`);
  const end = markdown.indexOf('\n#', start + heading.length + 2);
  return markdown.slice(start, end < 0 ? undefined : end);
}

test('npm run bench -- --smoke: every tool at every rate, wrk, the hold search and the report, written where asked', async () => {
  const out = join(dir, 'BENCHMARKS.md');
  const benchmarks = await readFile(join(ROOT, 'BENCHMARKS.md'), 'utf8');
  const run = await runScript('bench.js', ['--smoke', '--out', out], 60_000);
  assert.equal(run.code, 0, run.stderr);
  const report = await readFile(out, 'utf8');
  assert.equal(run.stdout, report, 'the report is printed as written');
  assert.equal(await readFile(join(ROOT, 'BENCHMARKS.md'), 'utf8'), benchmarks, 'BENCHMARKS.md is left as it was');
  assert.match(report, /^> A smoke run .*its figures mean nothing/);
  for (const rate of ['100']) {
    const table = section(report, `### ${rate} req/s`);
    for (const tool of ['stress --client lean', 'stress --client undici', 'node:net bare loop (Node, no client)', 'autocannon']) {
      const cells = row(table, tool);
      assert.ok(cells, `a row for ${tool} at ${rate} req/s:\n${table}`);
      const [, requests, cpuS, , p99] = cells;
      assert.ok(Number(requests!.replaceAll(',', '')) > 0, `${tool} at ${rate} req/s sent requests: ${cells.join(' | ')}`);
      assert.ok(Number(cpuS) > 0 && Number(p99) > 0, `${tool} at ${rate} req/s has its CPU and p99: ${cells.join(' | ')}`);
    }
    assert.equal(row(table, 'wrk2 (C, built by hand)'), null, 'no wrk2 row without WRK2');
    assert.match(
      table,
      /^Beside Node itself: `stress --client lean` costs \d+\.\d\dx the CPU per request of the bare node:net loop \(medians of the rounds' ratios\)\.$/m,
    );
  }
  const wrk = row(section(report, '### wrk flat out (closed loop: its ceiling on one core)'), 'wrk 4.1 (C, Debian)');
  assert.ok(wrk && Number(wrk[1]!.replaceAll(',', '')) > 0, `wrk ran flat out: ${wrk?.join(' | ')}`);
  const hold = section(report, report.match(/^## Highest rate one worker holds on \/hello: .*$/m)?.[0] ?? '## Highest rate');
  for (const rate of ['200'])
    assert.ok(
      row(hold, rate)
        ?.at(-1)
        ?.match(/^(yes|no)$/),
      `the hold search tried ${rate} req/s:\n${hold}`,
    );
  assert.match(
    report,
    /^- stress --client lean: `bin\/stress http:\/\/127\.0\.0\.1:PORT\/hello --rate \d+ /m,
    'the commands, the port hidden',
  );
  assert.ok(report.includes('\n## Memory over a one-hour run'), "BENCHMARKS.md's one-hour run is kept after what was measured");
});

test("the bench's bare Node loop, through the stream and past it to the handle: every request answered; another way refused", async () => {
  const target = await spawnTarget();
  try {
    for (const io of ['stream', 'handle']) {
      // 500 req/s for 0.4 s after a 0.2 s warm-up: 300 requests on 4 connections
      const run = await runScript('bare-node-loop.js', [`${target.url}/hello`, '500', '0.4', '0.2', '4', io], 20_000);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { requests: number; p99Ms: number | null };
      assert.equal(result.requests, 300, `${io}: every request sent, so every one before it answered: ${run.stdout}`);
      assert.ok(result.p99Ms !== null && result.p99Ms >= 0 && result.p99Ms < 1000, `${io}: a p99 after the warm-up: ${run.stdout}`);
    }
    const refused = await runScript('bare-node-loop.js', [`${target.url}/hello`, '500', '0.4', '0.2', '4', 'pipe'], 20_000);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^usage: bare-node-loop\.js .* \[stream\|handle\]\n$/);
  } finally {
    await target.stop();
  }
});

test('npm run benchmarks -- --smoke: the load, stress and endurance profiles each run and report, and pass their thresholds', async () => {
  const run = await runScript('benchmarks.js', ['--smoke'], 60_000);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const parts = run.stdout.split(/^=== /m).slice(1);
  assert.deepEqual(
    parts.map((part) => part.slice(0, part.indexOf(':'))),
    ['load', 'stress', 'endurance'],
  );
  const [load, stress, endurance] = parts as [string, string, string];
  assert.match(load, /^Load Test: closed loop, 10 clients for 1 s/m);
  assert.match(load, /^Thresholds: all 1 passed$/m);
  assert.match(stress, /^Stress Test: open loop, ramp 500 -> 1,000 req\/s in 2 steps of 0\.5 s/m);
  assert.match(stress, /^Steps\n +offered\/s .*\n +500 +\d+/m, 'the steps table, from its first step');
  assert.match(endurance, /^Load Test: open loop, 1,000 req\/s for 2 s/m);
  assert.match(endurance, /^Over time \(ms from due time\)$/m, 'the endurance section');
  assert.match(endurance, /^Outages: none$/m);
  assert.match(endurance, /^Thresholds: all 1 passed$/m);
  assert.match(run.stdout, /\nbenchmarks: all profiles ran and passed their thresholds\n$/);
});

test('both scripts refuse an unknown argument with exit 2 and one line, before any run', async () => {
  const [bench, benchmarks] = await Promise.all([
    runScript('bench.js', ['--quick'], 20_000),
    runScript('benchmarks.js', ['--quick', '--smoke'], 20_000),
  ]);
  assert.equal(bench.code, 2, bench.stderr);
  assert.equal(bench.stderr, 'bench: unknown argument "--quick" (only --smoke and --out FILE)\n');
  assert.equal(benchmarks.code, 2, benchmarks.stderr);
  assert.equal(benchmarks.stderr, 'benchmarks: "--quick --smoke": give nothing, --quick or --smoke\n');
  assert.equal(bench.stdout + benchmarks.stdout, '');
});
