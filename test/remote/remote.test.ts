/**
 * Load boxes end to end: the real CLI, real `ssh`, real `sshd` on 127.0.0.2 and 127.0.0.3 (two
 * boxes), the real target server on 127.0.0.1. Runs are short and slow (a few hundred req/s, one
 * worker per box): what is checked is the split, the merge, the faults, and that nothing is left
 * running, not speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { BreakingPoint, StepReport } from '../../engine/verdict/step-report.js';
import type { Summary } from '../../engine/summary/summary.js';
import type { LiveUpdate } from '../../engine/dashboard/live-view.js';
import { VERSION } from '../../common/version.js';
import { parseAgentAddress, type AgentAddress } from '../../engine/remote/agent-address.js';
import { shellCommandLine, sshArgv } from '../../engine/remote/ssh.js';
import { assertInvariants } from '../helpers/invariants.js';
import { spawnTarget } from '../helpers/spawn-target.js';
import { remoteCommandHolding, type LoadBox } from '../helpers/sshd.js';
import { CONTENTION_MAX_LAG, onDashboardUrl, runStress } from '../helpers/stress-cli.js';
import { useTargetAndBoxes } from '../helpers/target-and-boxes.js';
import { portOutsideEphemeral } from '../helpers/raw-servers.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const FAKE_AGENT = fileURLToPath(new URL('../helpers/fake-agent.js', import.meta.url));

const fixture = useTargetAndBoxes();
const { remoteArgs } = fixture;

function parse(stdout: string): Summary & { remote: NonNullable<Summary['remote']> } {
  const summary = JSON.parse(stdout) as Summary;
  assertInvariants(summary);
  assert.ok(summary.remote, 'a remote run reports its boxes');
  return summary as Summary & { remote: NonNullable<Summary['remote']> };
}

/** Calls `act(pid)` on the box's agent `afterMs` after it appeared (bounded wait). */
function whenAgentRuns(box: LoadBox, afterMs: number, act: (pid: number) => void): void {
  const until = Date.now() + 20_000;
  const look = setInterval(() => {
    const pids = fixture.lab.agentPids(box);
    if (pids.length === 0 && Date.now() < until) return;
    clearInterval(look);
    // an agent already gone when the time comes fails the test by its figures, not here
    if (pids.length > 0) {
      setTimeout(() => {
        for (const pid of pids) if (fixture.lab.agentPids(box).includes(pid)) act(pid);
      }, afterMs);
    }
  }, 50);
}

/** The lab's `--ssh-option` values, and a box's address, as the controller builds its ssh argv from them. */
const sshOptions = () => fixture.lab.sshArgs.filter((_, index) => index % 2 === 1);
function address(agent: string): AgentAddress {
  const parsed = parseAgentAddress(agent);
  assert.ok(typeof parsed !== 'string', parsed as string);
  return parsed;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

test('two boxes: the rate is split exactly, the merge is the sum of the boxes, each box is reported', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const run = await runStress([
    `${fixture.target.url}/hello`,
    '--rate',
    '400',
    '--duration',
    '3s',
    '--warmup',
    '500ms',
    ...remoteArgs([a.agent, b.agent]),
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const boxes = summary.remote.agents;
  assert.deepEqual(
    boxes.map((box) => box.agent),
    [a.agent, b.agent],
  );
  assert.equal(summary.workers, 2, 'one worker per box');
  assert.equal(summary.totals.scheduled, 1200, 'exactly R x T were due across the boxes');
  assert.deepEqual(
    boxes.map((box) => box.scheduled),
    [600, 600],
    'each box was due exactly its share',
  );
  assert.deepEqual(
    boxes.map((box) => box.share),
    [0.5, 0.5],
  );
  for (const field of ['scheduled', 'requests', 'success', 'failure', 'dropped'] as const) {
    assert.equal(sum(boxes.map((box) => box[field])), summary.totals[field], `merged ${field} = sum over boxes`);
  }
  assert.ok(summary.totals.success >= 0.99 * 1200, `success ${summary.totals.success}`);
  assert.ok(Math.abs(summary.throughput.achieved - 400) <= 20, `achieved ${summary.throughput.achieved}`);
  for (const box of boxes) {
    assert.ok(Math.abs(box.achieved - 200) <= 20, `${box.agent} achieved ${box.achieved}`);
    assert.equal(box.lost, null);
    assert.ok(
      Math.abs(box.clockOffsetMs) < 50 && box.clockRttMs >= 0 && box.clockRttMs < 100,
      `clock ${box.clockOffsetMs} rtt ${box.clockRttMs}`,
    );
  }
  // the worst offset is the largest in size (two boxes may tie with opposite signs)
  assert.equal(Math.abs(summary.remote.clockOffsetMs), Math.max(...boxes.map((box) => Math.abs(box.clockOffsetMs))));
  assert.deepEqual(await fixture.lab.settled(), [], 'every agent and ssh is gone after the run');
});

test("--metrics over two boxes: the endpoint serves the controller's merge of every box, exactly the summary's totals", async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const port = await portOutsideEphemeral();
  let finalScrape: Promise<string> | null = null;
  let scrapedAt = 0;
  const args = [`${fixture.target.url}/hello`, '--rate', '200', '--duration', '1s', '--warmup', '0', ...remoteArgs([a.agent, b.agent])];
  // kept up after the summary until it is scraped: the scrape below, made once the summary is out
  args.push('--metrics', String(port), '--metrics-linger', '10s', '--json', '--quiet');
  const run = await runStress(args, 60_000, (child) => {
    child.stdout!.on('data', () => {
      finalScrape ??= fetch(`http://127.0.0.1:${port}/metrics`).then(async (response) => {
        const text = await response.text();
        scrapedAt = Date.now();
        return text;
      });
    });
  });
  const endedAt = Date.now();
  assert.equal(run.code, 0, run.stderr);
  const text = await finalScrape!;
  const lingeredMs = endedAt - scrapedAt;
  assert.ok(lingeredMs < 5000, `the linger ended with the scrape, not after its 10 s: the process ended ${lingeredMs} ms after it`);
  const summary = parse(run.stdout);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.equal(summary.totals.scheduled, 200);
  assert.equal(value('stress_requests_scheduled_total'), summary.totals.scheduled);
  assert.equal(value('stress_requests_total'), summary.totals.requests);
  assert.equal(value('stress_requests_succeeded_total'), summary.totals.success);
  assert.equal(value('stress_latency_seconds_count'), summary.totals.success);
  assert.equal(value('stress_load_boxes_connected'), 2);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test('a request mix over two boxes, in a ramp, judged by endpoint: every step offers the 1:3 mix exactly, and the endpoints merge to the totals', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const targets = join(await tempDirForFile('mix-boxes'), 'mix.json');
  await writeFile(
    targets,
    JSON.stringify([
      { name: 'hello', url: `${fixture.target.url}/hello`, weight: 1 },
      { name: 'get', url: `${fixture.target.url}/test-get/0`, weight: 3 },
    ]),
  );
  // two steps of 1 s, 200 then 400 req/s: 600 requests due, 150 cycles of the 4-request mix. Every
  // step runs whatever its verdict: on a busy machine a 1 s step through ssh boxes may be judged
  // generator-limited, and a stopped ramp would cut short the sequence this test counts.
  const args = ['--targets', targets, '--ramp', '200:400', '--steps', '2', '--step', '1s', '--warmup', '0', '--no-stop-on-break'];
  args.push(...remoteArgs([a.agent, b.agent]), '--fail-on', 'get:p99<5s', '--fail-on', 'hello:errors<1%', '--json', '--quiet');
  const run = await runStress(args);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const document = summary as unknown as { steps: StepReport[]; thresholds: Array<{ expression: string; passed: boolean }> };
  const verdicts = JSON.stringify(document.steps.map((step) => [step.verdict, step.reason]));
  assert.equal(summary.totals.scheduled, 600, verdicts);
  assert.equal(summary.totals.success, summary.totals.requests, JSON.stringify(summary.totals.errorCodes));
  assert.deepEqual(
    document.steps.map((step) => step.scheduled),
    [200, 400],
    'each step split across the boxes',
  );
  const endpoints = new Map(summary.endpoints!.map((endpoint) => [endpoint.name, endpoint]));
  // the boxes take alternate requests of the one sequence: together they send it exactly
  assert.equal(endpoints.get('hello')!.requests, 150);
  assert.equal(endpoints.get('get')!.requests, 450);
  assert.equal(endpoints.get('hello')!.requests + endpoints.get('get')!.requests, summary.totals.requests);
  assert.equal(endpoints.get('hello')!.success + endpoints.get('get')!.success, summary.totals.success);
  for (const endpoint of endpoints.values()) assert.ok(endpoint.latencyMs.p99 !== null && endpoint.latencyMs.p99 <= summary.latencyMs.max!);
  assert.deepEqual(
    document.thresholds.map((threshold) => [threshold.expression, threshold.passed]),
    [
      ['get:p99<5s', true],
      ['hello:errors<1%', true],
    ],
  );
  assert.deepEqual(await fixture.lab.settled(), []);
});

/** The `update` events of the stream at `url`, until it ends. */
function readUpdates(url: string): Promise<LiveUpdate[]> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        clearTimeout(timer);
        const updates = text
          .split('\n\n')
          .filter((block) => block.startsWith('event: update\n'))
          .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as LiveUpdate);
        resolve(updates);
      });
    });
    const timer = setTimeout(() => request.destroy(new Error('no end of the event stream within 30 s')), 30_000);
    request.on('error', reject);
  });
}

test("--dashboard over two boxes: the live figures are the controller's merge of both", async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const seen: { updates?: Promise<LiveUpdate[]> } = {};
  const args = [`${fixture.target.url}/hello`, '--rate', '200', '--duration', '1500ms', '--warmup', '0', ...remoteArgs([a.agent, b.agent])];
  args.push('--max-lag', CONTENTION_MAX_LAG, '--dashboard', '--json', '--quiet');
  const run = await runStress(args, 60_000, (child) =>
    onDashboardUrl(child, (url) => {
      seen.updates = readUpdates(`${url}events`);
      seen.updates.catch(() => undefined);
    }),
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  assert.equal(summary.remote?.agents.length, 2, 'both boxes ran');
  assert.ok(seen.updates, 'the URL was printed');
  const updates = await seen.updates;
  assert.ok(updates.length >= 2, `an update per interval (${updates.length})`);
  const last = updates.at(-1)!;
  assert.equal(last.totals.requests, summary.totals.requests);
  assert.equal(last.totals.success, summary.totals.success);
  // both boxes sent their share: each achieved some of the load
  for (const box of summary.remote!.agents) assert.ok(box.achieved > 0, `${box.agent} sent requests`);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test("the merge mixes the boxes' latencies, never averages them: one box held 1.5 s puts the merged p99 beside its own", async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // b's worker starts about 1 s before the start instant (the remote start lead): held from about
  // 1 s into the 4 s run for 1.5 s, so the 300 requests b had due meanwhile (of 1,600 in all) leave
  // up to 1.5 s late, and none of a's
  const args = [`${fixture.target.url}/hello`, '--rate', '400', '--duration', '4s', '--warmup', '0'];
  args.push(...remoteArgs([a.agent, b.agent], remoteCommandHolding(fixture.lab, b, 2000, 1500)), '--max-lag', CONTENTION_MAX_LAG);
  const run = await runStress([...args, '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const [fast, held] = summary.remote.agents as [(typeof summary.remote.agents)[0], (typeof summary.remote.agents)[0]];
  const low = fast.latencyMs.p99!;
  const high = held.latencyMs.p99!;
  // the burst of the held box once it resumes can keep the other box waiting too, for a moment
  assert.ok(high >= 1000 && low < 300, `the hold fell in the run: p99 ${low} ms on ${fast.agent}, ${high} ms on ${held.agent}`);
  // the slowest 1% of all requests are all the held box's: the merged p99 is its p98 (about 1,420
  // ms), beside its p99 (about 1,460); an average of the two boxes' p99 would lie halfway (about 730)
  const merged = summary.latencyMs.p99!;
  assert.ok(merged >= low + 0.8 * (high - low) && merged <= high + 0.01, `merged p99 ${merged} ms, boxes ${low} and ${high} ms`);
  // and the middle of the merge is the on-time majority's
  assert.ok(summary.latencyMs.p50! < 100, `merged p50 ${summary.latencyMs.p50} ms`);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test('a ramp over two boxes: every step is split across them, and the text lists each box', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // every step runs whatever its verdict, so each box's share is known exactly: (100 + 300) / 2
  const run = await runStress([
    `${fixture.target.url}/hello`,
    '--ramp',
    '100:300',
    '--steps',
    '2',
    '--step',
    '1s',
    '--no-stop-on-break',
    ...remoteArgs([a.agent, b.agent]),
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Stress Test: open loop, ramp 100 -> 300 req\/s in 2 steps of 1 s, 2 workers/m);
  assert.match(run.stdout, /^ +100 +\d+ +\d+ /m, 'the first step');
  assert.match(run.stdout, /^ +300 +\d+ +\d+ /m, 'the second step');
  assert.match(run.stdout, /^Load boxes: 2, clocks corrected by up to [\d.]+ ms \(every start right within [\d.]+ ms\)$/m);
  for (const box of [a, b]) {
    // started by --remote-command: "command", and its set-up's seconds
    assert.match(
      run.stdout,
      new RegExp(`^ {4}${box.agent.replace(/\./g, '\\.')} +command \\d+\\.\\d s +1 +\\d+ +200 +0 .*(kept up|could NOT keep up)$`, 'm'),
    );
  }
});

test('--refine over two boxes: each bisecting run goes through the boxes, and the breaking point is refined', async (t) => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // 700 req/s of capacity: 600 holds, 900 achieves ~78% and breaks; refining bisects between them
  const capped = await spawnTarget(['--capacity', '700']);
  try {
    const run = await runStress(
      [
        `${capped.url}/hello`,
        '--ramp',
        '300:900',
        '--steps',
        '3',
        '--step',
        '1s',
        '--refine',
        '--max-lag',
        CONTENTION_MAX_LAG,
        ...remoteArgs([a.agent, b.agent]),
        '--json',
        '--quiet',
      ],
      90_000,
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = parse(run.stdout) as ReturnType<typeof parse> & {
      steps: StepReport[];
      refineSteps: StepReport[];
      breakingPoint: BreakingPoint | null;
    };
    const why = [...summary.steps, ...summary.refineSteps]
      .map((step) => `${step.offered}:${step.verdict} (${step.reason ?? 'ok'})`)
      .join(', ');
    t.diagnostic(`steps ${why}; breaking point ${JSON.stringify(summary.breakingPoint)}`);
    assert.deepEqual(
      summary.steps.map((step) => `${step.offered}:${step.verdict}`),
      ['300:held', '600:held', '900:broke'],
      why,
    );
    assert.ok(summary.refineSteps.length >= 2, `refine ran ${summary.refineSteps.length} steps: ${why}`);
    for (const step of summary.refineSteps) {
      assert.ok(step.offered > 600 && step.offered < 900, `a refine step between the bracket: ${step.offered}`);
      assert.ok(
        step.scheduled >= 0.9 * step.offered,
        `refine step at ${step.offered} req/s scheduled ${step.scheduled} requests in its 1 s`,
      );
    }
    const point = summary.breakingPoint!;
    assert.equal(point.refined, true, why);
    assert.ok(point.rate! >= 600 && point.brokeAt <= 900 && point.brokeAt > point.rate!, `bracket ${point.rate}..${point.brokeAt}: ${why}`);
    assert.deepEqual(summary.remote.agents.map((box) => box.agent).sort(), [a.agent, b.agent].sort());
    assert.ok(
      summary.remote.agents.every((box) => box.lost === null),
      'both boxes stayed for every run',
    );
  } finally {
    await capped.stop();
  }
});

test('an unreachable box fails the start at once, in one line naming it after the ssh command lines, and no load is left on the others', async () => {
  const [a] = fixture.boxes as [LoadBox];
  const dead = `127.0.0.4:${a.port}`; // nothing listens there
  const run = await runStress([`${fixture.target.url}/hello`, '--rate', '100', '--duration', '2s', ...remoteArgs([a.agent, dead])], 30_000);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  // each box's ssh command line, as it was started, then the one line of the failure
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 3, run.stderr);
  assert.equal(
    lines[0],
    `stress: agent ${a.agent}: ${shellCommandLine(['ssh', ...sshArgv(address(a.agent), sshOptions(), fixture.lab.remoteCommand)])}`,
  );
  assert.equal(
    lines[1],
    `stress: agent ${dead}: ${shellCommandLine(['ssh', ...sshArgv(address(dead), sshOptions(), fixture.lab.remoteCommand)])}`,
  );
  assert.match(lines[2]!, /^stress: agent 127\.0\.0\.4:\d+: .*(refused|unreachable|timed out)/i);
  assert.ok(run.elapsedMs < 10_000, `failed in ${run.elapsedMs} ms`);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test('a box of another version is refused, naming both versions', async () => {
  const [a] = fixture.boxes as [LoadBox];
  const run = await runStress(
    [
      `${fixture.target.url}/hello`,
      '--rate',
      '100',
      '--duration',
      '2s',
      ...remoteArgs([a.agent], `${process.execPath} ${FAKE_AGENT} 0.0.9`),
    ],
    30_000,
  );
  assert.equal(run.code, 1, run.stderr);
  const command = `${process.execPath} ${FAKE_AGENT} 0.0.9`;
  assert.deepEqual(run.stderr.trim().split('\n'), [
    `stress: agent ${a.agent}: ${shellCommandLine(['ssh', ...sshArgv(address(a.agent), sshOptions(), command)])}`,
    `stress: agent ${a.agent} runs stress 0.0.9, this is ${VERSION}`,
  ]);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test("a box killed mid-run is reported with when and why; its data so far and the other box's are kept", async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // the run starts 1 s or more after the agent appears (hello, clock pings, the start lead); the
  // kill lands about 2 s into a 4 s run, so the box has sent its first 1 s interval by then
  whenAgentRuns(b, 3000, (pid) => process.kill(pid, 'SIGKILL'));
  const run = await runStress([
    `${fixture.target.url}/hello`,
    '--rate',
    '200',
    '--duration',
    '4s',
    '--warmup',
    '0',
    ...remoteArgs([a.agent, b.agent]),
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const [kept, lost] = summary.remote.agents as [(typeof summary.remote.agents)[0], (typeof summary.remote.agents)[0]];
  assert.equal(kept.lost, null);
  assert.equal(kept.scheduled, 400, 'the other box ran its whole share');
  assert.ok(lost.lost, 'the killed box is reported lost');
  assert.ok(lost.lost.atS > 0.2 && lost.lost.atS < 3.9, `lost at ${lost.lost.atS} s`);
  assert.match(lost.lost.message, /ended abruptly|signal|exit/);
  assert.ok(lost.scheduled > 0 && lost.scheduled < 400, `its data up to the loss is kept: ${lost.scheduled}`);
  assert.equal(summary.totals.scheduled, kept.scheduled + lost.scheduled);
  assert.equal(summary.interrupted, false, 'the run went on');
  assert.deepEqual(await fixture.lab.settled(), []);
});

test('--abort-on-agent-loss stops every box when one is lost and exits 1 with the partial merge', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  whenAgentRuns(b, 2000, (pid) => process.kill(pid, 'SIGKILL'));
  const run = await runStress([
    `${fixture.target.url}/hello`,
    '--rate',
    '200',
    '--duration',
    '20s',
    '--warmup',
    '0',
    ...remoteArgs([a.agent, b.agent]),
    '--abort-on-agent-loss',
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 1, run.stderr);
  const summary = parse(run.stdout);
  assert.equal(summary.remote.abortedOnAgentLoss, true);
  assert.equal(summary.interrupted, true);
  assert.ok(summary.remote.agents[1]!.lost);
  assert.ok(
    summary.remote.agents[0]!.scheduled > 0 && summary.remote.agents[0]!.scheduled < 1000,
    `stopped early: ${summary.remote.agents[0]!.scheduled}`,
  );
  assert.ok(run.elapsedMs < 15_000, `took ${run.elapsedMs} ms`);
  assert.deepEqual(await fixture.lab.settled(), []);
});

test('SIGINT stops every box, drains, prints the partial merge and exits 130', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const run = await runStress(
    [
      `${fixture.target.url}/delay/300`,
      '--rate',
      '100',
      '--duration',
      '30s',
      '--warmup',
      '0',
      ...remoteArgs([a.agent, b.agent]),
      '--json',
      '--quiet',
    ],
    30_000,
    (child) => {
      whenAgentRuns(a, 3000, () => child.kill('SIGINT'));
    },
  );
  assert.equal(run.code, 130, run.stderr);
  const summary = parse(run.stdout);
  assert.equal(summary.interrupted, true);
  for (const box of summary.remote.agents) {
    assert.equal(box.lost, null, `${box.agent} drained and reported, it was not lost`);
    assert.ok(box.requests >= 30, `${box.agent} requests ${box.requests}`);
    assert.ok(box.success >= box.requests - 3, 'requests in flight were given time to finish');
  }
  assert.ok(run.elapsedMs < 15_000, `stopped in ${run.elapsedMs} ms`);
  assert.deepEqual(await fixture.lab.settled(), []);
});
