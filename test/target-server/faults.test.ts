// The fault knobs of bin/target-server, each against its own child process on 127.0.0.1.
// Bounds are wide on purpose: they must hold on a busy 2-core CI box, and still fail when a
// knob does nothing. Every load loop is bounded in count and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { spawnTarget } from '../helpers/spawn-target.js';

interface Outcome {
  /** when the request left, ms since the run started */
  sentMs: number;
  /** response complete minus sent, ms */
  ms: number;
  /** HTTP status, or undefined when the request failed */
  status?: number;
  /** undici error code when the request failed */
  error?: string;
}

/** One GET, timed, never throwing: a failure becomes `error`. */
async function timedGet(pool: Pool, path: string, startedAt: number): Promise<Outcome> {
  const sent = performance.now();
  try {
    const response = await pool.request({ path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
    await response.body.dump();
    return { sentMs: sent - startedAt, ms: performance.now() - sent, status: response.statusCode };
  } catch (error) {
    return { sentMs: sent - startedAt, ms: performance.now() - sent, error: (error as { code?: string }).code ?? String(error) };
  }
}

/**
 * Open-loop load: `perTick` requests every `tickMs` for `durationMs`, each on its own without
 * waiting for earlier answers, so a slow server is offered the same load as a fast one.
 */
async function offer(pool: Pool, path: string, perTick: number, tickMs: number, durationMs: number): Promise<Outcome[]> {
  const startedAt = performance.now();
  const pending: Array<Promise<Outcome>> = [];
  for (let tick = 0; tick * tickMs < durationMs; tick += 1) {
    // absolute due times, so timer lateness does not lower the offered rate
    const wait = startedAt + tick * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
    for (let i = 0; i < perTick; i += 1) pending.push(timedGet(pool, path, startedAt));
  }
  return Promise.all(pending);
}

function count(outcomes: Outcome[], predicate: (outcome: Outcome) => boolean): number {
  return outcomes.filter(predicate).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function withTarget(args: string[], connections: number, body: (pool: Pool) => Promise<void>): Promise<void> {
  const target = await spawnTarget(args);
  const pool = new Pool(target.url, { connections });
  try {
    assert.equal(target.engine, 'native', target.line);
    await body(pool);
  } finally {
    await pool.destroy();
    assert.equal(await target.stop(), 0, `exit code; stderr: ${target.stderr()}`);
  }
}

test('--latency adds a fixed delay to every response, without serialising them', async () => {
  await withTarget(['--latency', '200ms'], 32, async (pool) => {
    const startedAt = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => timedGet(pool, '/hello', startedAt)));
    const wallMs = performance.now() - startedAt;
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 200);
      assert.ok(outcome.ms >= 190 && outcome.ms < 1500, `took ${outcome.ms} ms`);
    }
    // 20 x 200 ms one after another would take 4 s
    assert.ok(wallMs < 1500, `20 concurrent requests took ${wallMs} ms`);
    // and it adds up with an endpoint's own delay
    const delayed = await timedGet(pool, '/delay/100', performance.now());
    assert.ok(delayed.status === 200 && delayed.ms >= 290, `latency + delay took ${delayed.ms} ms`);
  });
});

test('--fail-rate 0.5 answers about half with 500', async () => {
  await withTarget(['--fail-rate', '0.5'], 16, async (pool) => {
    const outcomes = await offer(pool, '/hello', 20, 5, 100); // 400 requests
    const failed = count(outcomes, (o) => o.status === 500);
    const ok = count(outcomes, (o) => o.status === 200);
    assert.equal(failed + ok, 400);
    // binomial(400, 0.5): sd 10, so 140..260 is six sd either way
    assert.ok(failed >= 140 && failed <= 260, `${failed} of 400 failed`);
  });
});

test('--close-rate 1 drops every connection without an answer', async () => {
  await withTarget(['--close-rate', '1'], 8, async (pool) => {
    const startedAt = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => timedGet(pool, '/hello', startedAt)));
    for (const outcome of outcomes) {
      assert.equal(outcome.status, undefined, 'no answer expected');
      assert.match(outcome.error ?? '', /UND_ERR_SOCKET|ECONNRESET|UND_ERR_CLOSED/);
    }
  });
});

test('--close-rate 0.5 gives a mix of answers and dropped connections', async () => {
  await withTarget(['--close-rate', '0.5'], 16, async (pool) => {
    const outcomes = await offer(pool, '/hello', 20, 5, 50); // 200 requests
    const dropped = count(outcomes, (o) => o.error !== undefined);
    const ok = count(outcomes, (o) => o.status === 200);
    assert.equal(dropped + ok, 200);
    assert.ok(dropped >= 50 && dropped <= 150, `${dropped} of 200 dropped`);
  });
});

test('--capacity 200: flat latency and no 503 below it; 503s and climbing latency above it', async () => {
  await withTarget(['--capacity', '200'], 512, async (pool) => {
    // below: 100 requests/s for 1 s
    const calm = await offer(pool, '/hello', 1, 10, 1000);
    assert.equal(
      count(calm, (o) => o.status === 200),
      calm.length,
      `statuses: ${calm.map((o) => o.status ?? o.error)}`,
    );
    const calmWorst = Math.max(...calm.map((o) => o.ms));
    assert.ok(calmWorst < 250, `below capacity the slowest took ${calmWorst} ms`);

    // above: 1000 requests/s for 1.5 s, five times the capacity
    const flood = await offer(pool, '/hello', 10, 10, 1500);
    const ok = flood.filter((o) => o.status === 200);
    const rejected = count(flood, (o) => o.status === 503);
    assert.equal(
      ok.length + rejected,
      flood.length,
      `other outcomes: ${flood.filter((o) => o.status !== 200 && o.status !== 503).map((o) => o.status ?? o.error)}`,
    );
    // ~200/s x 1.5 s plus the 200 queued that drain afterwards: about 500 of 1500 served
    assert.ok(ok.length >= 300 && ok.length <= 800, `${ok.length} of ${flood.length} served`);
    assert.ok(rejected >= 500, `${rejected} rejected`);
    // The queue grows by 800/s and holds 1 s of capacity (200): a request sent at t s waits
    // about 4t s until it is full at 0.25 s, and about 1 s from then on.
    const early = median(ok.filter((o) => o.sentMs < 20).map((o) => o.ms));
    const late = median(ok.filter((o) => o.sentMs > 1000).map((o) => o.ms));
    assert.ok(early < 200, `median latency of the first 20 ms: ${early} ms`);
    assert.ok(late > 500 && late > 3 * early, `median latency after 1 s: ${late} ms (first 20 ms: ${early} ms)`);
  });
});

test('--pause-every/--pause-for stall the whole server: some responses are late by about the pause', async () => {
  await withTarget(['--pause-every', '500ms', '--pause-for', '150ms'], 64, async (pool) => {
    const outcomes = await offer(pool, '/hello', 1, 10, 1300); // 130 requests over >= 2 periods
    assert.equal(
      count(outcomes, (o) => o.status === 200),
      outcomes.length,
    );
    const slow = outcomes.filter((o) => o.ms >= 50);
    const worst = Math.max(...outcomes.map((o) => o.ms));
    assert.ok(worst >= 100 && worst < 1000, `worst ${worst} ms`);
    // stalled 30% of the time: most requests are not held up
    assert.ok(median(outcomes.map((o) => o.ms)) < 50, `median ${median(outcomes.map((o) => o.ms))} ms`);
    // ... and the stalls come back: slow requests in at least two windows 500 ms apart
    const windows = new Set(slow.map((o) => Math.floor((o.sentMs + 250) / 500)));
    assert.ok(slow.length >= 4 && windows.size >= 2, `slow requests sent at ${slow.map((o) => Math.round(o.sentMs))}`);
  });
});

test('the knobs compose: latency, capacity, close-rate and fail-rate together', async () => {
  await withTarget(['--latency', '50ms', '--capacity', '2000', '--close-rate', '0.2', '--fail-rate', '0.3'], 64, async (pool) => {
    const outcomes = await offer(pool, '/hello', 10, 10, 200); // 200 requests
    const dropped = count(outcomes, (o) => o.error !== undefined);
    const failed = count(outcomes, (o) => o.status === 500);
    const ok = count(outcomes, (o) => o.status === 200);
    assert.equal(dropped + failed + ok, 200);
    // close-rate takes 20%; fail-rate takes 30% of the rest (24% of all); 56% succeed
    assert.ok(dropped >= 15 && dropped <= 70, `${dropped} dropped`);
    assert.ok(failed >= 20 && failed <= 80, `${failed} failed`);
    assert.ok(ok >= 80 && ok <= 150, `${ok} ok`);
    // latency comes before close-rate and fail-rate: even the failures wait for it
    for (const outcome of outcomes) assert.ok(outcome.ms >= 45, `${outcome.status ?? outcome.error} after ${outcome.ms} ms`);
  });
});
