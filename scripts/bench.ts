/**
 * `npm run bench`: measures the generator itself, side by side with its peers in one run, and
 * writes BENCHMARKS.md.
 *
 * The target server is pinned to core 0 and every generator to core 1 (taskset), so they do not
 * fight over a core. Two figures:
 *   1. CPU time per request (user + sys of the whole generator process, from GNU time) and p99
 *      latency at 20,000, 40,000 and 60,000 req/s, 64 connections: `stress` with its lean client
 *      and with undici (--client), autocannon (rate-limited to the same), wrk2 when the `WRK2`
 *      environment variable names a binary built by hand from its public source, Node itself
 *      (bare-node-loop.ts: the least a Node open loop does, so that a day when Node as a whole
 *      costs more beside wrk2 shows as such), and Debian's wrk once (it cannot fix a rate: it
 *      runs flat out, so its row is its ceiling);
 *   2. the highest rate one `stress` worker holds: achieved >= 99% of offered with a p99 within
 *      2x of its own p99 at 5,000 req/s, trying rising rates; and wrk2, when given, by the same
 *      latency rule, to show what the machine itself holds.
 * Every figure is the median of three rounds, and a tool's ratio to wrk2 the median of its ratios
 * within each round: the tools take turns in each round, so a minute when the shared machine is
 * slow weighs on every tool of that round alike, and one such minute moves no median. (With one
 * run of each, the highest rate held once came out as 0 req/s: one p99 at 10,000 req/s a few
 * percent over its bound.)
 * Load goes only to 127.0.0.1. Every run is bounded in time.
 *
 * `npm run bench -- --smoke` runs every part of it (each tool and rate, wrk, the hold search, the
 * report) for a moment at low rates, and writes the report to a temporary file (or `--out FILE`),
 * never to BENCHMARKS.md: its figures mean nothing, it only shows that the bench runs to the end.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../common/median.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const WRK2 = process.env.WRK2 ?? null;
/** The row of Node's own floor (bareNodeRow). */
const BARE_NODE_TOOL = 'node:net bare loop (Node, no client)';

/** How long and how hard each part runs. */
interface Settings {
  connections: number;
  /** of each row of the rate tables; wrk takes whole seconds only */
  seconds: number;
  warmupSeconds: number;
  rates: readonly number[];
  baseRate: number;
  holdSeconds: number;
  holdRates: readonly number[];
  /** how many times each run is made (the tools taking turns); the tables give medians */
  rounds: number;
}

const MEASURED: Settings = {
  connections: 64,
  seconds: 10,
  warmupSeconds: 1,
  rates: [20_000, 40_000, 60_000],
  baseRate: 5_000,
  holdSeconds: 5,
  holdRates: [10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 50_000, 60_000, 70_000],
  rounds: 3,
};

/** --smoke: every part, each for a moment: one rate of each table is every code path of it. */
const SMOKE: Settings = {
  connections: 4,
  seconds: 0.4,
  warmupSeconds: 0.2,
  rates: [100],
  baseRate: 100,
  holdSeconds: 0.4,
  holdRates: [200],
  rounds: 1,
};

interface Row {
  tool: string;
  command: string;
  /** every request the process sent, its warm-up included */
  requests: number;
  cpuS: number;
  /** CPU µs per request: set on a row of medians (the median of the rounds' own), else worked out */
  perRequestUs?: number;
  p99Ms: number | null;
  note: string;
  /** what `stress` said of its own run (kept up or generator-limited); absent for other tools */
  says?: string;
  /** medians over the rounds, against wrk2 of the same round; null without wrk2 */
  cpuRatio?: number | null;
  p99Ratio?: number | null;
  /** CPU per request against the bare node:net loop of the same round, median over the rounds; null without it */
  nodeRatio?: number | null;
}

/** One tool's figures at one rate of the hold search (medians of its runs). */
interface HoldFigures {
  achieved: number;
  p99Ms: number;
  lagP99Ms: number | null;
  held: boolean;
}

interface HoldRow {
  rate: number;
  stress: HoldFigures;
  /** wrk2 by the same rule against its own p99 at the base rate: what the machine holds; null without WRK2 */
  wrk2: HoldFigures | null;
}

interface HoldSearch {
  baseP99Ms: number;
  wrk2BaseP99Ms: number | null;
  rows: HoldRow[];
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

function stressCommand(settings: Settings, url: string, rate: number, seconds: number, client: string): string[] {
  // bin/stress directly, so its shebang's V8 flags apply as they do for a user
  return [
    'bin/stress',
    `${url}/hello`,
    '--rate',
    String(rate),
    '--duration',
    `${Math.round(seconds * 1000)}ms`,
    '--workers',
    '1',
    '--connections',
    String(settings.connections),
    '--warmup',
    `${Math.round(settings.warmupSeconds * 1000)}ms`,
    '--json',
    '--quiet',
    '--client',
    client,
  ];
}

async function stressRow(settings: Settings, url: string, rate: number, client: string): Promise<Row> {
  const command = stressCommand(settings, url, rate, settings.seconds, client);
  const { stdout, cpuS } = await timed(command);
  const summary = JSON.parse(stdout);
  const generatorVerdict = ((summary.verdicts ?? []) as string[]).find((line) => line.startsWith('Generator:')) ?? '';
  const limited = generatorVerdict.includes('kept up') && !generatorVerdict.includes('NOT') ? 'kept up' : 'generator-limited';
  return {
    tool: `stress --client ${client}`,
    command: command.join(' '),
    // the warm-up's requests are sent as well (at the same rate), so they count
    requests: summary.totals.requests + rate * settings.warmupSeconds,
    cpuS,
    p99Ms: summary.latencyMs.p99,
    note: 'latency from due time',
    says: limited,
  };
}

async function autocannonRow(settings: Settings, url: string, rate: number): Promise<Row> {
  const command = ['node', 'node_modules/autocannon/autocannon.js', '-c', String(settings.connections), '-d', String(settings.seconds)];
  command.push('--overallRate', String(rate), '--json', `${url}/hello`);
  const { stdout, cpuS } = await timed(command);
  const result = JSON.parse(stdout);
  return {
    tool: 'autocannon',
    command: command.join(' '),
    requests: result.requests.total,
    cpuS,
    p99Ms: result.latency.p99,
    note: 'latency from the actual send: late sends are not counted against it',
  };
}

/** Node's floor on the day: the bare node:net loop (bare-node-loop.ts) at the same rate, connections and warm-up as `stress`. */
async function bareNodeRow(settings: Settings, url: string, rate: number): Promise<Row> {
  const command = ['node', 'dist/scripts/bare-node-loop.js', `${url}/hello`, String(rate), String(settings.seconds)];
  command.push(String(settings.warmupSeconds), String(settings.connections));
  const { stdout, cpuS } = await timed(command);
  const result = JSON.parse(stdout) as { requests: number; p99Ms: number | null };
  return {
    tool: BARE_NODE_TOOL,
    command: command.join(' '),
    requests: result.requests,
    cpuS,
    p99Ms: result.p99Ms,
    note: 'latency from due time; a pre-built request per free socket, one data event per response: no client, what Node costs',
  };
}

/** wrk's and wrk2's `--latency` lines read `99.000%  2.36ms`. */
function wrkPercentile(stdout: string, label: string): number | null {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
  if (!match) return null;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/** wrk and wrk2 take whole seconds, at least one. */
const wholeSeconds = (seconds: number) => Math.max(1, Math.round(seconds));

/** wrk's command line, or wrk2's with a rate. */
function wrkCommand(settings: Settings, binary: string, seconds: number, rate: number | null, url: string): string[] {
  const command = [binary, '-t1', `-c${settings.connections}`, `-d${wholeSeconds(seconds)}s`, '--latency'];
  if (rate !== null) command.push(`-R${rate}`);
  command.push(`${url}/hello`);
  return command;
}

async function wrkRow(settings: Settings, url: string, binary: string, tool: string, rate: number | null, note: string): Promise<Row> {
  const command = wrkCommand(settings, binary, settings.seconds, rate, url);
  const { stdout, cpuS } = await timed(command);
  return {
    tool,
    command: command.join(' ').replace(binary, rate === null ? 'wrk' : '$WRK2'),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    cpuS,
    p99Ms: wrkPercentile(stdout, rate === null ? '99%' : '99\\.000%'),
    note,
  };
}

/** The median of the values known (null: not measured). */
const medianOf = (values: readonly (number | null)[]): number | null => median(values.filter((value): value is number => value !== null));

/**
 * One tool's rounds as one row: each figure the median of its rounds', each ratio the median of its
 * per-round ratios, to wrk2 (`references`) and to the bare node:net loop (`nodeReferences`).
 */
function medianRow(rounds: readonly Row[], references: readonly (Row | null)[], nodeReferences: readonly (Row | null)[]): Row {
  const first = rounds[0]!;
  const ratioOf = (value: (row: Row) => number | null, against = references) =>
    medianOf(
      rounds.map((row, index) => {
        const reference = against[index];
        const of = reference ? value(reference) : null;
        const mine = value(row);
        return mine !== null && of !== null && of > 0 ? mine / of : null;
      }),
    );
  const said = rounds.flatMap((row) => (row.says === undefined ? [] : [row.says]));
  const sayings = [...new Set(said)];
  const says =
    sayings.length <= 1
      ? sayings[0]
      : sayings.map((saying) => `${saying} (${said.filter((one) => one === saying).length} of ${said.length})`).join(', ');
  return {
    tool: first.tool,
    command: first.command,
    requests: Math.round(medianOf(rounds.map((row) => row.requests)) ?? 0),
    cpuS: medianOf(rounds.map((row) => row.cpuS)) ?? 0,
    perRequestUs: medianOf(rounds.map(perRequest)) ?? 0,
    p99Ms: medianOf(rounds.map((row) => row.p99Ms)),
    note: says === undefined ? first.note : `${first.note}; it says: ${says}`,
    cpuRatio: ratioOf(perRequest),
    p99Ratio: ratioOf((row) => row.p99Ms),
    nodeRatio: ratioOf(perRequest, nodeReferences),
  };
}

async function ratesTable(settings: Settings, url: string): Promise<Map<number, Row[]>> {
  const byRate = new Map<number, Row[]>();
  for (const rate of settings.rates) {
    const rounds: Row[][] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const rows: Row[] = [];
      if (WRK2) rows.push(await wrkRow(settings, url, WRK2, 'wrk2 (C, built by hand)', rate, 'latency from due time (the reference)'));
      for (const client of ['lean', 'undici']) rows.push(await stressRow(settings, url, rate, client));
      rows.push(await bareNodeRow(settings, url, rate));
      rows.push(await autocannonRow(settings, url, rate));
      for (const row of rows)
        process.stderr.write(`${rate} (round ${round + 1}): ${row.tool}: ${perRequest(row).toFixed(1)} µs/req, p99 ${row.p99Ms} ms\n`);
      rounds.push(rows);
    }
    const references = rounds.map((rows) => rows.find((row) => row.tool.startsWith('wrk2')) ?? null);
    const nodeReferences = rounds.map((rows) => rows.find((row) => row.tool === BARE_NODE_TOOL) ?? null);
    byRate.set(
      rate,
      rounds[0]!.map((_, tool) =>
        medianRow(
          rounds.map((rows) => rows[tool]!),
          references,
          nodeReferences,
        ),
      ),
    );
  }
  return byRate;
}

/** One run of the hold search: what was achieved, the p99, and `stress`'s scheduler lag p99. */
type HoldRun = (rate: number) => Promise<{ achieved: number; p99Ms: number; lagP99Ms: number | null }>;

function stressHoldRun(settings: Settings, url: string): HoldRun {
  return async (rate) => {
    const { stdout } = await timed(stressCommand(settings, url, rate, settings.holdSeconds, 'lean'));
    const summary = JSON.parse(stdout);
    return { achieved: summary.throughput.achieved, p99Ms: summary.latencyMs.p99, lagP99Ms: summary.schedulerLagMs.p99 };
  };
}

function wrk2HoldRun(settings: Settings, url: string, binary: string): HoldRun {
  return async (rate) => {
    const { stdout } = await timed(wrkCommand(settings, binary, settings.holdSeconds, rate, url));
    return {
      achieved: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
      p99Ms: wrkPercentile(stdout, '99\\.000%') ?? Number.POSITIVE_INFINITY,
      lagP99Ms: null,
    };
  };
}

/**
 * The rising rates `stress` holds, and wrk2 by the same latency rule when WRK2 names it: on a
 * shared machine whose latency spikes break the rule at every rate (the p99 of the base rate
 * doubled by the machine, not by the generator), wrk2 misses too, and the table says so. At each rate the
 * tools take turns, round by round; each figure is the median of its rounds.
 */
async function holdSearch(settings: Settings, url: string): Promise<HoldSearch> {
  // wrk2's own count includes its connecting and its last answers (about 97% of the offered over
  // 5 s at any rate): it is judged by its latency alone
  const tools: Array<{ name: string; run: HoldRun; judgesAchieved: boolean; base: number }> = [
    { name: 'stress', run: stressHoldRun(settings, url), judgesAchieved: true, base: 0 },
  ];
  if (WRK2) tools.push({ name: 'wrk2', run: wrk2HoldRun(settings, url, WRK2), judgesAchieved: false, base: 0 });
  const measure = async (rate: number) => {
    const runs = tools.map(() => [] as Array<{ achieved: number; p99Ms: number; lagP99Ms: number | null }>);
    for (let round = 0; round < settings.rounds; round++)
      for (const [index, tool] of tools.entries()) runs[index]!.push(await tool.run(rate));
    return runs.map((one) => ({
      achieved: medianOf(one.map((run) => run.achieved)) ?? 0,
      p99Ms: medianOf(one.map((run) => run.p99Ms)) ?? 0,
      lagP99Ms: medianOf(one.map((run) => run.lagP99Ms)),
    }));
  };
  for (const [index, figures] of (await measure(settings.baseRate)).entries()) tools[index]!.base = figures.p99Ms;
  const rows: HoldRow[] = [];
  const misses = tools.map(() => 0);
  for (const rate of settings.holdRates) {
    const held = (await measure(rate)).map((figures, index) => {
      const { judgesAchieved, base } = tools[index]!;
      return { ...figures, held: (!judgesAchieved || figures.achieved >= 0.99 * rate) && figures.p99Ms <= 2 * base };
    });
    rows.push({ rate, stress: held[0]!, wrk2: held[1] ?? null });
    for (const [index, figures] of held.entries()) {
      const { name, base } = tools[index]!;
      process.stderr.write(
        `hold ${rate} ${name}: achieved ${figures.achieved}, p99 ${figures.p99Ms} ms (base ${base}) -> ${figures.held ? 'held' : 'missed'}\n`,
      );
      misses[index] = figures.held ? 0 : misses[index]! + 1;
    }
    if (misses.every((count) => count >= 2)) break;
  }
  return { baseP99Ms: tools[0]!.base, wrk2BaseP99Ms: tools[1]?.base ?? null, rows };
}

const perRequest = (row: Row) => row.perRequestUs ?? (row.requests > 0 ? (row.cpuS * 1e6) / row.requests : 0);
const fmt = (value: number | null, digits = 2) => (value === null ? 'n/a' : value.toFixed(digits));
const thousands = (value: number) => value.toLocaleString('en-US');

function rateSection(rate: number, rows: Row[], targetCeiling: number): string[] {
  const hasReference = rows.some((row) => row.tool.startsWith('wrk2'));
  // wrk flat out is the target's ceiling on its core: past about 90% of it the server queues, and
  // every tool's p99 is the server's queue, not the tool's
  const saturated =
    rate > 0.9 * targetCeiling
      ? [
          `The target served at most ${thousands(Math.round(targetCeiling))} req/s in this run (wrk flat out, below): at this rate the server queues, so the p99 column measures the server, and only the CPU column compares the tools.`,
          '',
        ]
      : [];
  const ratio = (value: number | null | undefined) => (value === null || value === undefined ? '' : `${value.toFixed(2)}x`);
  const lean = rows.find((row) => row.tool === 'stress --client lean');
  const bare = rows.find((row) => row.tool === BARE_NODE_TOOL);
  const besideNode =
    lean?.nodeRatio != null && bare
      ? [
          `Beside Node itself: \`stress --client lean\` costs ${ratio(lean.nodeRatio)} the CPU per request of the bare node:net loop${hasReference ? `, which costs ${ratio(bare.cpuRatio)} wrk2's` : ''} (medians of the rounds' ratios).`,
          '',
        ]
      : [];
  return [
    `### ${thousands(rate)} req/s`,
    '',
    ...saturated,
    hasReference
      ? '| tool | requests | CPU s | CPU µs / request | x wrk2 | p99 ms | x wrk2 | note |'
      : '| tool | requests | CPU s | CPU µs / request | p99 ms | note |',
    hasReference ? '|---|---:|---:|---:|---:|---:|---:|---|' : '|---|---:|---:|---:|---:|---|',
    ...rows.map((row) =>
      hasReference
        ? `| ${row.tool} | ${thousands(row.requests)} | ${row.cpuS.toFixed(2)} | ${perRequest(row).toFixed(1)} | ${ratio(row.cpuRatio)} | ${fmt(row.p99Ms)} | ${ratio(row.p99Ratio)} | ${row.note} |`
        : `| ${row.tool} | ${thousands(row.requests)} | ${row.cpuS.toFixed(2)} | ${perRequest(row).toFixed(1)} | ${fmt(row.p99Ms)} | ${row.note} |`,
    ),
    '',
    ...besideNode,
  ];
}

/** The highest rate of the search that `of` held, or 0. */
function highestHeld(rows: readonly HoldRow[], of: (row: HoldRow) => HoldFigures | null): number {
  return rows.filter((row) => of(row)?.held === true).reduce((max, row) => Math.max(max, row.rate), 0);
}

function holdSection(settings: Settings, hold: HoldSearch): string[] {
  const best = highestHeld(hold.rows, (row) => row.stress);
  const withWrk2 = hold.wrk2BaseP99Ms !== null;
  const yesNo = (figures: HoldFigures) => (figures.held ? 'yes' : 'no');
  return [
    `## Highest rate one worker holds on /hello: **${thousands(best)} req/s**`,
    '',
    `Held = achieved >= 99% of offered and p99 within 2x of the p99 at ${thousands(settings.baseRate)} req/s (${fmt(hold.baseP99Ms)} ms), over ${settings.holdSeconds} s runs (\`--client lean\`, ${settings.connections} connections)${settings.rounds === 1 ? '' : `, the median of ${settings.rounds} runs at each rate`}.`,
    ...(withWrk2
      ? [
          '',
          `wrk2 by the same latency rule, against its own p99 at ${thousands(settings.baseRate)} req/s (${fmt(hold.wrk2BaseP99Ms)} ms), in turns with \`stress\`: **${thousands(highestHeld(hold.rows, (row) => row.wrk2))} req/s** (its achieved rate is shown, not judged: its count includes its connecting and its last answers, about 97% of the offered over 5 s at any rate). Where wrk2 misses too, the machine's latency broke the rule, not the generator.`,
        ]
      : []),
    '',
    withWrk2
      ? '| offered req/s | achieved req/s | p99 ms | scheduler lag p99 ms | held | wrk2 achieved | wrk2 p99 ms | wrk2 held |'
      : '| offered req/s | achieved req/s | p99 ms | scheduler lag p99 ms | held |',
    withWrk2 ? '|---:|---:|---:|---:|:---:|---:|---:|:---:|' : '|---:|---:|---:|---:|:---:|',
    ...hold.rows.map(({ rate, stress, wrk2 }) => {
      const own = `| ${thousands(rate)} | ${thousands(stress.achieved)} | ${fmt(stress.p99Ms)} | ${fmt(stress.lagP99Ms)} | ${yesNo(stress)} |`;
      return wrk2 === null ? own : `${own} ${thousands(Math.round(wrk2.achieved))} | ${fmt(wrk2.p99Ms)} | ${yesNo(wrk2)} |`;
    }),
    '',
  ];
}

function markdown(settings: Settings, byRate: Map<number, Row[]>, wrk: Row, hold: HoldSearch): string {
  const { connections, seconds } = settings;
  const commands = new Map<string, string>();
  for (const rows of byRate.values()) for (const row of rows) if (!commands.has(row.tool)) commands.set(row.tool, row.command);
  commands.set(wrk.tool, wrk.command);
  return [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on this project's CI machine kind (2 cores, Node ${process.version}),`,
    `target server pinned to core 0, generator to core 1 (\`taskset\`), ${settings.rounds === 1 ? 'one run of each' : `${settings.rounds} rounds in which the tools take turns; each figure is the median of its rounds, each ratio the median of the ratios within a round`}. Produced by:`,
    '',
    '```bash',
    WRK2 ? 'WRK2=/path/to/wrk2/wrk npm run bench   # wrk2 built by hand from its public source' : 'npm run bench',
    '```',
    '',
    'Absolute times are noisy on a shared 2-core machine; the ratios within one table are the figures to read.',
    '',
    `## CPU per request and p99, ${connections} connections, ${seconds} s, /hello`,
    '',
    `CPU = user + sys of the whole generator process (start-up included), from GNU time, over every request it sent (\`stress\`'s ${settings.warmupSeconds} s warm-up included).`,
    '',
    ...[...byRate].flatMap(([rate, rows]) => rateSection(rate, rows, wrk.requests / wholeSeconds(settings.seconds))),
    `### wrk flat out (closed loop: its ceiling on one core)`,
    '',
    '| tool | requests | CPU s | CPU µs / request | p99 ms | note |',
    '|---|---:|---:|---:|---:|---|',
    `| ${wrk.tool} | ${thousands(wrk.requests)} | ${wrk.cpuS.toFixed(2)} | ${perRequest(wrk).toFixed(1)} | ${fmt(wrk.p99Ms)} | ${wrk.note} |`,
    '',
    ...holdSection(settings, hold),
    'Commands (each run as `/usr/bin/time -f "CPU %U %S" taskset -c 1 ...`; the rate varies by table):',
    '',
    ...[...commands].map(([tool, command]) => `- ${tool}: \`${command}\``),
    '',
  ].join('\n');
}

/**
 * The sections of BENCHMARKS.md this script does not measure (from the first heading listed here
 * to the end), kept as they are: the one-hour memory run takes an hour, not a bench's minutes.
 */
const KEPT_FROM = '\n## Memory over a one-hour run';

function keptSections(): string {
  if (!existsSync(`${root}BENCHMARKS.md`)) return '';
  const current = readFileSync(`${root}BENCHMARKS.md`, 'utf8');
  const at = current.indexOf(KEPT_FROM);
  return at < 0 ? '' : current.slice(at);
}

/** What the command line asks for: the measured bench, or --smoke; where the report goes. */
function parseArguments(argv: readonly string[]): { settings: Settings; smoke: boolean; out: string } | string {
  let smoke = false;
  let out: string | null = null;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--smoke') smoke = true;
    else if (arg === '--out' && argv[index + 1] !== undefined) out = argv[++index]!;
    else return `unknown argument "${arg}" (only --smoke and --out FILE)`;
  }
  const defaultOut = smoke ? join(mkdtempSync(join(tmpdir(), 'stress-bench-')), 'BENCHMARKS.md') : `${root}BENCHMARKS.md`;
  return { settings: smoke ? SMOKE : MEASURED, smoke, out: out ?? defaultOut };
}

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(`bench: ${parsed}\n`);
    return 2;
  }
  const { settings, smoke, out } = parsed;
  const target = await startTarget();
  try {
    const byRate = await ratesTable(settings, target.url);
    const wrk = await wrkRow(
      settings,
      target.url,
      'wrk',
      'wrk 4.1 (C, Debian)',
      null,
      'closed loop flat out: latency at its own rate, from the actual send',
    );
    const hold = await holdSearch(settings, target.url);
    const warning = smoke ? '> A smoke run (`npm run bench -- --smoke`): every part ran for a moment; its figures mean nothing.\n\n' : '';
    const text = warning + markdown(settings, byRate, wrk, hold).replaceAll(target.url, 'http://127.0.0.1:PORT') + keptSections();
    writeFileSync(out, text);
    process.stdout.write(text);
    process.stderr.write(`bench: written to ${out}\n`);
    return 0;
  } finally {
    target.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  },
);
