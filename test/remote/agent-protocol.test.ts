/**
 * `stress agent` as a real process, spoken to over its stdin and stdout as ssh would carry them:
 * the hello and its version check, pings, a plan run against the real target server, protocol
 * errors, and the one rule that keeps load from outliving a controller: stdin closed, agent gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../common/version.js';
import { epochNowMs } from '../../engine/run/worker-protocol.js';
import type { AgentMessage, ControllerMessage } from '../../engine/remote/agent-protocol.js';
import type { RunSpec } from '../../engine/run/contract.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { STRESS_BIN } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(async () => {
  await target.stop();
});

interface Agent {
  child: ChildProcess;
  send(message: ControllerMessage | string): void;
  /** the next message from the agent (at most `limitMs`) */
  next(limitMs?: number): Promise<AgentMessage>;
  exited: Promise<number | null>;
  stderr(): string;
}

function startAgent(args: string[] = []): Agent {
  const child = spawn(process.execPath, [STRESS_BIN, 'agent', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const queue: AgentMessage[] = [];
  const waiting: Array<(message: AgentMessage) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // anything on stdout that is not a protocol line fails here: stdout is the protocol's alone
    const message = JSON.parse(line) as AgentMessage;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void exited.then(() => clearTimeout(killer));
  return {
    child,
    send: (message) => child.stdin!.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`),
    next: (limitMs = 10_000) => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message within ${limitMs} ms; stderr: ${stderr}`)), limitMs);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
    exited,
    stderr: () => stderr,
  };
}

function spec(rate: number, durationMs: number): RunSpec {
  return {
    target: { url: `${target.url}/hello`, method: 'GET', headers: {}, bodyBase64: null },
    load: { kind: 'rate', segments: [{ durationMs, fromRate: rate, toRate: rate }] },
    workers: 1,
    connections: 8,
    timeoutMs: 2000,
    maxInflight: 512,
    intervalMs: 500,
    warmupMs: 0,
  };
}

test("hello with the same version, pongs on the agent's clock, a plan run to its end: snapshots, then done", async () => {
  const agent = startAgent();
  agent.send({ type: 'hello', version: VERSION });
  const hello = await agent.next();
  assert.equal(hello.type, 'hello');
  assert.ok(hello.type === 'hello' && hello.version === VERSION && hello.cores >= 1 && hello.pid === agent.child.pid);

  const sentMs = epochNowMs();
  agent.send({ type: 'ping', id: 7 });
  const pong = await agent.next();
  assert.ok(pong.type === 'pong' && pong.id === 7);
  assert.ok(pong.remoteMs >= sentMs - 50 && pong.remoteMs <= epochNowMs() + 50, 'same machine: the clocks agree');

  // a third of the workers' slots: this agent is box 2 of 3 one-worker boxes
  agent.send({
    type: 'plan',
    runId: 3,
    spec: { ...spec(600, 1000), workerSlots: { first: 1, total: 3 }, startAtEpochMs: epochNowMs() + 500 },
  });
  let scheduled = 0;
  let responses = 0;
  const intervals: number[] = [];
  for (let message = await agent.next(); ; message = await agent.next()) {
    if (message.type === 'snapshot') {
      assert.equal(message.runId, 3);
      scheduled += message.snapshot.counts.scheduled;
      responses += message.snapshot.counts.responses;
      intervals.push(message.snapshot.interval);
    } else {
      assert.equal(message.type, 'done', JSON.stringify(message));
      assert.ok(message.type === 'done' && message.runId === 3 && !message.interrupted && message.workerFailures.length === 0);
      break;
    }
  }
  assert.equal(scheduled, 200, 'exactly its third of 600 req/s for 1 s');
  assert.equal(responses, 200);
  assert.deepEqual(intervals.slice(0, 2), [0, 1], 'intervals numbered from the shared start');
  agent.child.stdin!.end();
  assert.equal(await agent.exited, 0, 'stdin closed: the agent exits');
});

test('another version is refused after answering hello, so the controller can name both', async () => {
  const agent = startAgent();
  agent.send({ type: 'hello', version: '9.9.9' });
  const hello = await agent.next();
  assert.ok(hello.type === 'hello' && hello.version === VERSION);
  const error = await agent.next();
  assert.deepEqual(error, { type: 'error', message: `the controller runs stress 9.9.9, this agent runs ${VERSION}` });
  assert.equal(await agent.exited, 1);
});

test('protocol errors: a plan before hello, or a line that is not JSON, end the agent with a reason', async () => {
  const early = startAgent();
  early.send({ type: 'plan', runId: 1, spec: spec(10, 1000) });
  assert.deepEqual(await early.next(), { type: 'error', message: '"plan" before hello' });
  assert.equal(await early.exited, 1);

  const garbled = startAgent();
  garbled.send('hello there');
  const error = await garbled.next();
  assert.ok(error.type === 'error' && /not a protocol line/.test(error.message));
  assert.equal(await garbled.exited, 1);

  // valid JSON that is not a message: refused with a reason, not a crash
  for (const line of ['null', '42', '"hello"', '[]', '{}']) {
    const odd = startAgent();
    odd.send(line);
    const refused = await odd.next();
    assert.ok(refused.type === 'error' && /not a protocol message/.test(refused.message), `${line}: ${JSON.stringify(refused)}`);
    assert.equal(await odd.exited, 1, line);
  }

  const argued = startAgent(['--rate', '5']);
  assert.equal(await argued.exited, 2);
  assert.match(argued.stderr(), /takes no arguments/);
});

test('stdin closed mid-run: the load stops and the agent exits within a short drain', async () => {
  const agent = startAgent();
  agent.send({ type: 'hello', version: VERSION });
  await agent.next();
  agent.send({ type: 'plan', runId: 1, spec: { ...spec(100, 60_000), startAtEpochMs: epochNowMs() + 200 } });
  const first = await agent.next();
  assert.equal(first.type, 'snapshot', 'the run is on');
  const closedAt = Date.now();
  agent.child.stdin!.end();
  assert.equal(await agent.exited, 0);
  assert.ok(Date.now() - closedAt < 5000, `exited ${Date.now() - closedAt} ms after stdin closed`);
});

test('a plan that names a request log path: the agent runs it and writes no file', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'stress-agent-log-'));
  const path = join(folder, 'planted.csv');
  try {
    const agent = startAgent();
    agent.send({ type: 'hello', version: VERSION });
    await agent.next();
    agent.send({ type: 'plan', runId: 1, spec: { ...spec(50, 600), requestLogPath: path, startAtEpochMs: epochNowMs() + 200 } });
    let message = await agent.next();
    while (message.type === 'snapshot') message = await agent.next();
    assert.equal(message.type, 'done', JSON.stringify(message));
    agent.child.stdin!.end();
    assert.equal(await agent.exited, 0);
    assert.deepEqual(readdirSync(folder), [], 'nothing written where the controller said');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a plan of the wrong shape is refused naming the field, before any load; so are a ping and a stop of the wrong shape', async () => {
  const cases: Array<{ change: (spec: RunSpec & Record<string, unknown>) => void; field: RegExp }> = [
    { change: (s) => (s.intervalMs = 0), field: /^plan: spec\.intervalMs is 0, not a number from 50 to 3600000$/ },
    { change: (s) => ((s as Record<string, unknown>).intervalMs = 'x'), field: /^plan: spec\.intervalMs is "x"/ },
    { change: (s) => ((s.load as Record<string, unknown>).segments = 'x'), field: /^plan: spec\.load\.segments is "x"/ },
    { change: (s) => ((s as Record<string, unknown>).connections = 'many'), field: /^plan: spec\.connections is "many"/ },
    { change: (s) => ((s.target as unknown as Record<string, unknown>).headers = 'x'), field: /^plan: spec\.target\.headers is "x"/ },
    { change: (s) => ((s as Record<string, unknown>).startAtEpochMs = 'now'), field: /^plan: spec\.startAtEpochMs is "now"/ },
    { change: (s) => (s.timeoutMs = -1), field: /^plan: spec\.timeoutMs is -1/ },
    {
      change: (s) => (s.load = { kind: 'rate', segments: [{ durationMs: 1000, fromRate: -5, toRate: 10 }] }),
      field: /^plan: spec\.load\.segments\[0\]\.fromRate is -5/,
    },
    { change: (s) => (s.workerSlots = { first: 5, total: 2 }), field: /^plan: spec\.workerSlots: slots 5 to 5 of 2$/ },
    { change: (s) => (s.target.url = 'file:///etc/passwd'), field: /^plan: spec\.target\.url is "file:\/\/\/etc\/passwd", not an http/ },
  ];
  await Promise.all(
    cases.map(async ({ change, field }) => {
      const agent = startAgent();
      agent.send({ type: 'hello', version: VERSION });
      await agent.next();
      const bad = spec(10, 500) as RunSpec & Record<string, unknown>;
      change(bad);
      agent.send({ type: 'plan', runId: 1, spec: bad });
      const refused = await agent.next();
      assert.ok(refused.type === 'error', `${field}: ${JSON.stringify(refused)}`);
      assert.match(refused.message, field);
      assert.equal(await agent.exited, 1, String(field));
    }),
  );

  for (const [line, reason] of [
    ['{"type":"ping","id":{}}', /^ping\.id is \{\}, not a whole number/],
    ['{"type":"stop","runId":1,"drainMs":"soon","planned":false}', /^stop\.drainMs is "soon"/],
  ] as const) {
    const agent = startAgent();
    agent.send({ type: 'hello', version: VERSION });
    await agent.next();
    agent.send(line);
    const refused = await agent.next();
    assert.ok(refused.type === 'error' && reason.test(refused.message), `${line}: ${JSON.stringify(refused)}`);
    assert.equal(await agent.exited, 1, line);
  }
});
