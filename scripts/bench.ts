/**
 * `npm run bench`: measures the generator itself and writes BENCHMARKS.md.
 *
 * The target server is pinned to core 0 and every generator to core 1 (taskset), so they do not
 * fight over a core. Two figures:
 *   1. the highest rate one `stress` worker holds on /hello: achieved >= 99% of offered and
 *      scheduler lag p99 <= 5 ms, trying rising rates;
 *   2. CPU time per request (user + sys of the whole generator process, from GNU time) at a fixed
 *      20,000 req/s, for the lean client and undici (--client), side by side with autocannon (rate-limited to the same) and wrk (which cannot
 *      fix a rate, so it runs flat out and its CPU per request is at its own rate), all with the
 *      same connection count.
 * Load goes only to 127.0.0.1. Every run is bounded in time.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const CONNECTIONS = 64;
const HOLD_SECONDS = 5;
const CPU_SECONDS = 10;
const FIXED_RATE = 20_000;
const RATES = [10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000, 50_000, 60_000];

interface HoldRow {
  rate: number;
  achieved: number;
  lagP99: number | null;
  p99: number | null;
  dropped: number;
  held: boolean;
}
interface CpuRow {
  tool: string;
  command: string;
  requests: number;
  seconds: number;
  cpuS: number;
  usPerRequest: number;
  note: string;
}

async function startTarget(): Promise<{ url: string; stop: () => void }> {
  const child = spawn('taskset', ['-c', '0', 'node', `${root}bin/target-server`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', () => reject(new Error('target server exited')));
  });
  const match = /listening on (\S+) \(uWebSockets\.js native\)/.exec(line);
  if (!match) throw new Error(`the target did not start natively: ${line}`);
  return { url: match[1]!, stop: () => child.kill('SIGTERM') };
}

/** Runs a command under GNU time on core 1; returns its stdout and the CPU seconds it used. */
async function timed(command: string[]): Promise<{ stdout: string; cpuS: number }> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'CPU %U %S', 'taskset', '-c', '1', ...command], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const match = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!match) throw new Error(`no CPU line from GNU time: ${stderr.slice(-300)}`);
  return { stdout, cpuS: Number(match[1]) + Number(match[2]) };
}

function stressCommand(url: string, rate: number, seconds: number): string[] {
  // bin/stress directly, so its shebang's V8 flags apply as they do for a user
  return [
    'bin/stress',
    `${url}/hello`,
    '--rate',
    String(rate),
    '--duration',
    `${seconds}s`,
    '--workers',
    '1',
    '--connections',
    String(CONNECTIONS),
    '--warmup',
    '1s',
    '--json',
    '--quiet',
  ];
}

async function holdSearch(url: string): Promise<HoldRow[]> {
  const rows: HoldRow[] = [];
  let failures = 0;
  for (const rate of RATES) {
    const { stdout } = await timed(stressCommand(url, rate, HOLD_SECONDS));
    const summary = JSON.parse(stdout);
    const lagP99 = summary.schedulerLagMs.p99 as number | null;
    const held = summary.throughput.achieved >= 0.99 * rate && lagP99 !== null && lagP99 <= 5;
    rows.push({ rate, achieved: summary.throughput.achieved, lagP99, p99: summary.latencyMs.p99, dropped: summary.totals.dropped, held });
    process.stderr.write(`hold ${rate}: achieved ${summary.throughput.achieved}, lag p99 ${lagP99} ms -> ${held ? 'held' : 'missed'}\n`);
    failures = held ? 0 : failures + 1;
    if (failures === 2) break;
  }
  return rows;
}

async function cpuComparison(url: string): Promise<CpuRow[]> {
  const rows: CpuRow[] = [];
  for (const client of ['lean', 'undici']) {
    const stress = [...stressCommand(url, FIXED_RATE, CPU_SECONDS), '--client', client];
    const ours = await timed(stress);
    const oursRequests = JSON.parse(ours.stdout).totals.requests as number;
    rows.push(row(`stress --client ${client} (1 worker, open loop)`, stress, oursRequests, ours.cpuS, 'fixed rate'));
  }

  const autocannon = [
    'node',
    'node_modules/autocannon/autocannon.js',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(CPU_SECONDS),
    '--overallRate',
    String(FIXED_RATE),
    '--json',
    `${url}/hello`,
  ];
  const theirs = await timed(autocannon);
  const autocannonRequests = JSON.parse(theirs.stdout).requests.total as number;
  rows.push(row('autocannon 8', autocannon, autocannonRequests, theirs.cpuS, 'fixed rate (--overallRate)'));

  const wrk = ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${CPU_SECONDS}s`, `${url}/hello`];
  const wrkRun = await timed(wrk);
  const wrkRequests = Number(/(\d+) requests in/.exec(wrkRun.stdout)?.[1] ?? 0);
  rows.push(row('wrk 4.1 (C)', wrk, wrkRequests, wrkRun.cpuS, 'closed loop flat out: it cannot fix a rate'));
  return rows;
}

function row(tool: string, command: string[], requests: number, cpuS: number, note: string): CpuRow {
  return {
    tool,
    command: command.join(' '),
    requests,
    seconds: CPU_SECONDS,
    cpuS,
    usPerRequest: requests > 0 ? (cpuS * 1e6) / requests : 0,
    note,
  };
}

function markdown(hold: HoldRow[], cpu: CpuRow[], url: string): string {
  const best = hold.filter((r) => r.held).reduce((max, r) => Math.max(max, r.rate), 0);
  const fmt = (v: number | null, d = 2) => (v === null ? 'n/a' : v.toFixed(d));
  return [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on this project's CI machine kind (2 cores, Node ${process.version}),`,
    'target server pinned to core 0, generator to core 1 (`taskset`). Produced by:',
    '',
    '```bash',
    'npm run bench',
    '```',
    '',
    `## Highest rate one worker holds on /hello: **${best.toLocaleString('en-US')} req/s**`,
    '',
    `Held = achieved >= 99% of offered and scheduler lag p99 <= 5 ms, over ${HOLD_SECONDS} s runs with ${CONNECTIONS} connections.`,
    `Each row: \`taskset -c 1 bin/stress ${url}/hello --rate R --duration ${HOLD_SECONDS}s --workers 1 --connections ${CONNECTIONS} --warmup 1s --json --quiet\``,
    '',
    '| offered req/s | achieved req/s | lag p99 ms | latency p99 ms | dropped | held |',
    '|---:|---:|---:|---:|---:|:---:|',
    ...hold.map(
      (r) =>
        `| ${r.rate.toLocaleString('en-US')} | ${r.achieved.toLocaleString('en-US')} | ${fmt(r.lagP99)} | ${fmt(r.p99)} | ${r.dropped} | ${r.held ? 'yes' : 'no'} |`,
    ),
    '',
    `## CPU time per request at ${FIXED_RATE.toLocaleString('en-US')} req/s, ${CONNECTIONS} connections, ${CPU_SECONDS} s`,
    '',
    'CPU = user + sys of the whole generator process (start-up included), from GNU time.',
    '',
    '| tool | requests | CPU s | CPU µs / request | note |',
    '|---|---:|---:|---:|---|',
    ...cpu.map(
      (r) => `| ${r.tool} | ${r.requests.toLocaleString('en-US')} | ${r.cpuS.toFixed(2)} | ${r.usPerRequest.toFixed(1)} | ${r.note} |`,
    ),
    '',
    'Commands (each run as `/usr/bin/time -f "CPU %U %S" taskset -c 1 ...`):',
    '',
    ...cpu.map((r) => `- ${r.tool}: \`${r.command}\``),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const target = await startTarget();
  try {
    const hold = await holdSearch(target.url);
    const cpu = await cpuComparison(target.url);
    const text = markdown(hold, cpu, target.url.replace(/:\d+$/, ':PORT'));
    writeFileSync(`${root}BENCHMARKS.md`, text);
    process.stdout.write(text);
  } finally {
    target.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(1);
});
