/** The back-off and the gate in front of the pool, on a fake clock and fake timers: no sockets, no sleeping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffFor, ConnectBackoff } from '../../engine/http/connect-backoff.js';
import { ConnectGate, type Timers } from '../../engine/http/connect-gate.js';
import type { ErrorClass } from '../../engine/measure/snapshot.js';

test('the wait doubles per failed attempt up to its bound; a connection resets it', () => {
  const backoff = new ConnectBackoff(10, 1000);
  // attempts 1..9 -> 10, 20, 40, ... capped at 1000
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoff.delayMs(n)),
    [10, 20, 40, 80, 160, 320, 640, 1000, 1000],
  );
  assert.equal(backoff.delayMs(10_000), 1000, 'no overflow after very many attempts');
  assert.equal(backoff.failed(0), 10);
  assert.equal(backoff.waiting(5), true);
  assert.equal(backoff.failed(5), 10, 'a failure during the wait is of an earlier attempt: no doubling');
  assert.equal(backoff.waiting(10), false);
  assert.equal(backoff.failed(10), 30, 'the next attempt failed: twice as long');
  backoff.succeeded();
  assert.equal(backoff.waiting(11), false);
  assert.equal(backoff.failed(100), 110, 'after a success it starts again from the first wait');
  assert.throws(() => new ConnectBackoff(0, 10), RangeError);
});

test('the longest wait stays well inside the request deadline, and within a second', () => {
  assert.equal(backoffFor(10_000).delayMs(20), 1000);
  assert.equal(backoffFor(200).delayMs(20), 50, 'a quarter of a short deadline');
  assert.equal(backoffFor(200).delayMs(1), 10);
  assert.equal(backoffFor(2).delayMs(20), 1);
});

interface Request {
  id: number;
  settled: boolean;
}

/** A gate over fake requests: records what it dispatches and fails; timers fire only when told. */
function harness(holdLimit = Number.POSITIVE_INFINITY) {
  let now = 0;
  let pending: { callback: () => void; at: number } | null = null;
  const timers: Timers = {
    set: (callback, ms) => (pending = { callback, at: now + ms }),
    clear: (handle) => {
      if (pending === handle) pending = null;
    },
  };
  const dispatched: number[] = [];
  const failed: Array<[number, ErrorClass]> = [];
  const gate = new ConnectGate<Request>(
    10_000,
    () => now,
    {
      dispatch: (request) => void dispatched.push(request.id),
      fail: (request, errorClass) => {
        request.settled = true;
        failed.push([request.id, errorClass]);
        gate.ended(request);
      },
      isSettled: (request) => request.settled,
    },
    holdLimit,
    timers,
  );
  let next = 0;
  const request = (): Request => ({ id: next++, settled: false });
  return {
    gate,
    dispatched,
    failed,
    request,
    /** sends one request whose connection attempt fails: the gate closes */
    refuse: (errorClass: ErrorClass = 'refused'): Request => {
      const first = request();
      gate.submit(first);
      gate.attemptFailed(first, errorClass, 'ECONNREFUSED');
      return first;
    },
    /** advances the clock to the pending timer and runs it */
    fire: () => {
      assert.ok(pending, 'a timer is pending');
      const { callback, at } = pending;
      pending = null;
      now = Math.max(now, at);
      callback();
    },
    get timerAt() {
      return pending?.at ?? null;
    },
    at: (ms: number) => (now = ms),
  };
}

test('open: requests go straight through, and other failures do not close it', () => {
  const h = harness();
  const a = h.request();
  h.gate.submit(a);
  h.gate.attemptFailed(a, 'timeout', 'UND_ERR_CONNECT_TIMEOUT');
  h.gate.attemptFailed(a, 'reset', 'ECONNRESET');
  h.gate.submit(h.request());
  assert.deepEqual(h.dispatched, [0, 1]);
  assert.equal(h.gate.isClosed, false);
  assert.equal(h.timerAt, null);
});

test('refused: later requests wait; one probe per period; its failure fails everyone waiting; then twice as long', () => {
  const h = harness();
  h.refuse();
  assert.equal(h.gate.isClosed, true);
  assert.equal(h.timerAt, 10);
  const waiting = [h.request(), h.request(), h.request()];
  for (const request of waiting) h.gate.submit(request);
  assert.deepEqual(h.dispatched, [0], 'held, not sent');
  assert.equal(h.gate.held, 3);

  h.fire();
  assert.deepEqual(h.dispatched, [0, 1], 'the oldest goes alone, as the probe');
  h.gate.attemptFailed(waiting[0]!, 'refused', 'ECONNREFUSED');
  assert.deepEqual(
    h.failed,
    [
      [2, 'refused'],
      [3, 'refused'],
    ],
    'the others share its fate (the probe is settled by its sender)',
  );
  assert.equal(h.timerAt, 10 + 20, 'the second wait is twice the first');
});

test('a refused handshake (tls) closes the gate like a refused connection: its probe fails the others as tls', () => {
  const h = harness();
  h.refuse('tls');
  assert.equal(h.gate.isClosed, true, 'a server whose certificate is refused is not handshaken with once per request');
  const waiting = [h.request(), h.request()];
  for (const request of waiting) h.gate.submit(request);
  h.fire();
  h.gate.attemptFailed(waiting[0]!, 'tls', 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.deepEqual(h.failed, [[2, 'tls']]);
});

test('a failure from an attempt made before the wait does not fail the requests waiting for the next one', () => {
  const h = harness();
  const early = [h.request(), h.request()];
  for (const request of early) h.gate.submit(request);
  h.gate.attemptFailed(early[0]!, 'refused', 'ECONNREFUSED');
  const held = h.request();
  h.gate.submit(held);
  h.gate.attemptFailed(early[1]!, 'refused', 'ECONNREFUSED');
  assert.deepEqual(h.failed, [], 'the held request still waits');
  assert.equal(h.timerAt, 10, 'and the wait did not grow');
});

test('a connection opens: everyone waiting is sent and the back-off starts over', () => {
  const h = harness();
  h.refuse('generator');
  const waiting = [h.request(), h.request()];
  for (const request of waiting) h.gate.submit(request);
  h.fire();
  h.gate.connected();
  assert.deepEqual(h.dispatched, [0, 1, 2]);
  assert.equal(h.gate.isClosed, false);
  assert.equal(h.timerAt, null);
  h.at(1000);
  const again = h.request();
  h.gate.submit(again);
  h.gate.attemptFailed(again, 'refused', 'ECONNREFUSED');
  assert.equal(h.timerAt, 1010, 'the first wait again, not the third');
});

test('requests that ended while waiting are skipped; a probe that ends otherwise opens the gate', () => {
  const h = harness();
  h.refuse();
  const expired = h.request();
  const probe = h.request();
  const rest = h.request();
  for (const request of [expired, probe, rest]) h.gate.submit(request);
  expired.settled = true; // its deadline passed while it waited
  h.fire();
  assert.deepEqual(h.dispatched, [0, 2], 'the expired one is not the probe');
  probe.settled = true;
  h.gate.ended(probe); // e.g. its deadline, before any connection
  assert.deepEqual(h.dispatched, [0, 2, 3]);
  assert.equal(h.gate.isClosed, false);
});

test('the probe goes out early once holdLimit requests wait', () => {
  const h = harness(3);
  const first = h.refuse();
  const held = [h.request(), h.request(), h.request()];
  h.gate.submit(held[0]!);
  h.gate.submit(held[1]!);
  assert.deepEqual(h.dispatched, [0]);
  h.gate.submit(held[2]!);
  assert.deepEqual(h.dispatched, [0, 1], 'the third held request sent the probe without waiting 10 ms');
  h.gate.attemptFailed(first, 'refused', 'ECONNREFUSED');
  assert.equal(h.failed.length, 0, 'a late failure of the first attempt fails no one');
  h.gate.attemptFailed(held[0]!, 'refused', 'ECONNREFUSED');
  assert.deepEqual(
    h.failed.map(([id]) => id),
    [2, 3],
    "the early probe's failure does",
  );
  assert.equal(h.timerAt, 10, 'and the period it cut short still ends when it would have');
});

test('nothing waiting when the period ends: the gate opens for the next request to try', () => {
  const h = harness();
  h.refuse();
  h.fire();
  assert.equal(h.gate.isClosed, false);
  h.gate.submit(h.request());
  assert.deepEqual(h.dispatched, [0, 1]);
});

test('close forgets what is held and cancels the timer', () => {
  const h = harness();
  h.refuse();
  h.gate.submit(h.request());
  h.gate.close();
  assert.equal(h.gate.held, 0);
  assert.equal(h.timerAt, null);
});
