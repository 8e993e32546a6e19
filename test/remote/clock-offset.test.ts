/** Clock offsets from ping round trips: pure, table-driven, no sleeping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateOffset, toAgentClock, worstOffset, type PingSample } from '../../engine/remote/clock-offset.js';

test('offset = remote stamp minus the midpoint of the round trip, right within half the round trip', () => {
  const table: Array<{ why: string; samples: PingSample[]; offsetMs: number; rttMs: number }> = [
    // same clock, symmetric 2 ms legs: the agent stamped at the midpoint
    { why: 'same clocks', samples: [{ sentMs: 1000, remoteMs: 1001, receivedMs: 1002 }], offsetMs: 0, rttMs: 2 },
    // the agent's clock is 500 ms ahead
    { why: 'agent ahead', samples: [{ sentMs: 1000, remoteMs: 1501, receivedMs: 1002 }], offsetMs: 500, rttMs: 2 },
    { why: 'agent behind', samples: [{ sentMs: 1000, remoteMs: 701, receivedMs: 1002 }], offsetMs: -300, rttMs: 2 },
    // asymmetric legs (1 ms out, 9 ms back) bias the estimate, by less than half the round trip
    { why: 'asymmetric legs', samples: [{ sentMs: 0, remoteMs: 1, receivedMs: 10 }], offsetMs: -4, rttMs: 10 },
  ];
  for (const row of table) {
    const offset = estimateOffset(row.samples)!;
    assert.equal(offset.offsetMs, row.offsetMs, row.why);
    assert.equal(offset.rttMs, row.rttMs, row.why);
    assert.equal(offset.uncertaintyMs, row.rttMs / 2, row.why);
  }
});

test('the sample with the smallest round trip wins: the others waited in some buffer', () => {
  const samples: PingSample[] = [
    { sentMs: 0, remoteMs: 130, receivedMs: 40 }, // delayed on the way back: says +110
    { sentMs: 100, remoteMs: 201, receivedMs: 102 }, // quick: says +100
    { sentMs: 200, remoteMs: 330, receivedMs: 220 }, // delayed out: says +120
  ];
  assert.deepEqual(estimateOffset(samples), { offsetMs: 100, rttMs: 2, uncertaintyMs: 1 });
});

test('broken samples are skipped; none usable gives null', () => {
  assert.equal(estimateOffset([]), null);
  assert.equal(estimateOffset([{ sentMs: 10, remoteMs: 5, receivedMs: 9 }]), null, 'a negative round trip (clock stepped)');
  assert.equal(estimateOffset([{ sentMs: 10, remoteMs: Number.NaN, receivedMs: 12 }]), null);
  assert.equal(
    estimateOffset([
      { sentMs: 10, remoteMs: 5, receivedMs: 9 },
      { sentMs: 20, remoteMs: 31, receivedMs: 22 },
    ])!.offsetMs,
    10,
  );
});

test("an instant on the controller's clock, on the agent's; the worst offset is the largest in size", () => {
  assert.equal(toAgentClock(5000, { offsetMs: -250, rttMs: 1, uncertaintyMs: 0.5 }), 4750);
  assert.deepEqual(
    worstOffset([
      { offsetMs: 3, rttMs: 1, uncertaintyMs: 0.5 },
      { offsetMs: -7, rttMs: 4, uncertaintyMs: 2 },
      { offsetMs: 5, rttMs: 0.2, uncertaintyMs: 0.1 },
    ]),
    { offsetMs: -7, uncertaintyMs: 2 },
  );
  assert.deepEqual(worstOffset([]), { offsetMs: 0, uncertaintyMs: 0 });
});
