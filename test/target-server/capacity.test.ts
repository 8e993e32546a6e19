// The --capacity model, without a socket or a sleep: CapacityGate with a hand-driven clock
// (ms), and CapacityWaiter / schedulePauses with node:test's mock timers.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CapacityGate, defaultBurst, defaultQueueLimit } from '../../target-server/capacity-gate.js';
import { CapacityWaiter } from '../../target-server/capacity-waiter.js';
import { schedulePauses } from '../../target-server/pauses.js';

test('gate, happy path: 100/s, burst 1, queue 2 — admit, queue, reject, release on time', () => {
  const gate = new CapacityGate({ ratePerSecond: 100, burst: 1, queueLimit: 2 }, 0);
  // t=0: the bucket starts full (1 token) -> the first request goes on at once
  assert.deepEqual(gate.offer(0), { outcome: 'admitted' });
  // no token left: the next two wait, the fourth finds the queue full
  assert.deepEqual(gate.offer(0), { outcome: 'queued', ticket: 1 });
  assert.deepEqual(gate.offer(1), { outcome: 'queued', ticket: 2 });
  assert.deepEqual(gate.offer(2), { outcome: 'rejected' });
  assert.equal(gate.queued, 2);
  // one token per 10 ms: the next one is due at t=10
  assert.equal(gate.nextReleaseAtMs(), 10);
  assert.deepEqual(gate.release(9), []);
  assert.deepEqual(gate.release(10), [1]);
  assert.equal(gate.nextReleaseAtMs(), 20);
  // a late timer releases what is due, not more than the bucket holds (burst 1)
  assert.deepEqual(gate.release(35), [2]);
  assert.equal(gate.queued, 0);
  assert.equal(gate.nextReleaseAtMs(), undefined);
  // the queue has room again; t=35 had refilled 1.5 tokens but the cap is 1, spent at t=35
  assert.deepEqual(gate.offer(36), { outcome: 'queued', ticket: 3 });
  assert.equal(gate.nextReleaseAtMs(), 45);
});

test('gate: a newcomer never overtakes the queue, even when a token has just come', () => {
  const gate = new CapacityGate({ ratePerSecond: 1000, burst: 1, queueLimit: 10 }, 0);
  gate.offer(0); // takes the token
  assert.equal(gate.offer(0).outcome, 'queued'); // ticket 1 waits for t=1
  // at t=5 a token is there, but ticket 1 has not been released yet: FIFO says wait
  assert.equal(gate.offer(5).outcome, 'queued');
  assert.deepEqual(gate.release(5), [1]); // burst 1: one token however late the timer
  assert.deepEqual(gate.release(6), [2]);
});

test('gate: a cancelled request leaves the queue without using a token', () => {
  const gate = new CapacityGate({ ratePerSecond: 100, burst: 1, queueLimit: 3 }, 0);
  gate.offer(0);
  const first = gate.offer(0);
  const second = gate.offer(0);
  assert.ok(first.outcome === 'queued' && second.outcome === 'queued');
  assert.equal(gate.cancel(first.ticket), true);
  assert.equal(gate.cancel(first.ticket), false);
  assert.equal(gate.queued, 1);
  // the token due at t=10 goes to the second request
  assert.deepEqual(gate.release(10), [second.ticket]);
});

test('gate: queue 0 rejects whenever no token is there', () => {
  const gate = new CapacityGate({ ratePerSecond: 10, burst: 2, queueLimit: 0 }, 0);
  assert.equal(gate.offer(0).outcome, 'admitted');
  assert.equal(gate.offer(0).outcome, 'admitted');
  assert.equal(gate.offer(0).outcome, 'rejected');
  assert.equal(gate.offer(100).outcome, 'admitted'); // 100 ms = 1 token at 10/s
});

test('gate: defaults are 10 ms of burst (at least 1) and 1 s of queue (at least 1)', () => {
  assert.equal(defaultBurst(200), 2);
  assert.equal(defaultBurst(50), 1);
  assert.equal(defaultBurst(100_000), 1000);
  assert.equal(defaultQueueLimit(200), 200);
  assert.equal(defaultQueueLimit(0.5), 1);
  const gate = new CapacityGate({ ratePerSecond: 5000 }, 0);
  assert.equal(gate.burst, 50);
  assert.equal(gate.queueLimit, 5000);
});

test('gate, sad path: nonsense settings are refused', () => {
  assert.throws(() => new CapacityGate({ ratePerSecond: 0 }, 0), RangeError);
  assert.throws(() => new CapacityGate({ ratePerSecond: Number.NaN }, 0), RangeError);
  assert.throws(() => new CapacityGate({ ratePerSecond: 10, burst: 0.5 }, 0), RangeError);
  assert.throws(() => new CapacityGate({ ratePerSecond: 10, queueLimit: 1.5 }, 0), RangeError);
});

/**
 * Simulates `offeredRate` evenly spaced arrivals for `seconds` against a gate, releasing at
 * every due time exactly as the server's timer would, and returns what a client would see.
 */
function simulate(rate: number, offeredRate: number, seconds: number) {
  const gate = new CapacityGate({ ratePerSecond: rate }, 0);
  const arrivedAt = new Map<number, number>();
  const waits: number[] = [];
  let admitted = 0;
  let rejected = 0;
  const releaseUpTo = (now: number): void => {
    for (let due = gate.nextReleaseAtMs(); due !== undefined && due <= now; due = gate.nextReleaseAtMs()) {
      for (const ticket of gate.release(due)) {
        waits.push(due - arrivedAt.get(ticket)!);
        admitted += 1;
      }
    }
  };
  const arrivals = Math.round(offeredRate * seconds);
  for (let i = 0; i < arrivals; i += 1) {
    const now = (i * 1000) / offeredRate;
    releaseUpTo(now);
    const admission = gate.offer(now);
    if (admission.outcome === 'admitted') {
      admitted += 1;
      waits.push(0);
    } else if (admission.outcome === 'queued') {
      arrivedAt.set(admission.ticket, now);
    } else {
      rejected += 1;
    }
  }
  releaseUpTo(seconds * 1000);
  return { admitted, rejected, queued: gate.queued, maxWaitMs: Math.max(0, ...waits) };
}

test('gate, property: below capacity nobody waits and nobody is rejected', () => {
  for (const [rate, offered] of [
    [200, 100],
    [1000, 900],
    [50, 10],
  ] as const) {
    const result = simulate(rate, offered, 10);
    assert.equal(result.rejected, 0, `${offered}/s into ${rate}/s`);
    assert.ok(result.maxWaitMs < 1000 / rate, `${offered}/s into ${rate}/s waited ${result.maxWaitMs} ms`);
  }
});

test('gate, property: above capacity it serves R/s, waits climb to ~queue/R, the rest is rejected', () => {
  for (const [rate, offered] of [
    [200, 1000],
    [1000, 2000],
  ] as const) {
    const seconds = 10;
    const result = simulate(rate, offered, seconds);
    const label = `${offered}/s into ${rate}/s for ${seconds} s`;
    // served = R * T plus the initial burst (within a couple of rounding tokens)
    assert.ok(Math.abs(result.admitted - (rate * seconds + defaultBurst(rate))) <= 2, `${label}: admitted ${result.admitted}`);
    // everything offered is admitted, still queued or rejected
    assert.equal(result.admitted + result.queued + result.rejected, offered * seconds, label);
    // the queue holds 1 s of capacity, so nobody waits (much) longer than 1 s
    assert.ok(result.maxWaitMs > 900 && result.maxWaitMs <= 1000 + 1000 / rate, `${label}: max wait ${result.maxWaitMs} ms`);
  }
});

test('waiter: runs admitted requests at once, parks the rest on one timer, honours withdrawals', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 0;
    const waiter = new CapacityWaiter(new CapacityGate({ ratePerSecond: 100, burst: 1, queueLimit: 2 }, 0), () => now);
    const log: string[] = [];
    waiter.admit(
      () => log.push('a'),
      () => log.push('a rejected'),
    );
    waiter.admit(
      () => log.push('b'),
      () => log.push('b rejected'),
    );
    const withdrawC = waiter.admit(
      () => log.push('c'),
      () => log.push('c rejected'),
    );
    waiter.admit(
      () => log.push('d'),
      () => log.push('d rejected'),
    );
    assert.deepEqual(log, ['a', 'd rejected']);
    now = 10;
    mock.timers.tick(10); // b's token
    assert.deepEqual(log, ['a', 'd rejected', 'b']);
    withdrawC(); // c's client went away before its token
    now = 30;
    mock.timers.tick(20);
    assert.deepEqual(log, ['a', 'd rejected', 'b']);
    waiter.admit(
      () => log.push('e'),
      () => log.push('e rejected'),
    );
    assert.deepEqual(log, ['a', 'd rejected', 'b', 'e']); // the bucket refilled meanwhile
    waiter.stop();
  } finally {
    mock.timers.reset();
  }
});

test('pauses: stall for pauseFor at every period, on absolute times', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 0;
    const stalls: Array<[number, number]> = [];
    const stop = schedulePauses(
      500,
      100,
      (ms) => {
        stalls.push([now, ms]);
        now += ms; // the stall takes its time
      },
      () => now,
    );
    for (let step = 0; step < 16; step += 1) {
      now += 100;
      mock.timers.tick(100);
    }
    stop();
    // stalls start at 500, 1000, 1500 although each one took 100 ms of the period
    assert.deepEqual(
      stalls.map(([at]) => at),
      [500, 1000, 1500],
    );
    assert.ok(stalls.every(([, ms]) => ms === 100));
  } finally {
    mock.timers.reset();
  }
});
