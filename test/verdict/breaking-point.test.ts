import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CRITERIA,
  generatorDelayReason,
  judgeStep,
  nextRefineRate,
  rampOutcome,
  rampRates,
  type StepFigures,
} from '../../engine/verdict/breaking-point.js';

/** A healthy step at `offered` req/s; each row below changes what it is about. */
const step = (offered: number, change: Partial<StepFigures> = {}): StepFigures => ({
  offered,
  achieved: offered,
  scheduled: offered * 10,
  requests: offered * 10,
  success: offered * 10,
  failure: 0,
  dropped: 0,
  latencyP99Ms: 5,
  serviceP99Ms: 4,
  lagP99Ms: 1,
  inflightCapacity: 8192,
  generatorBusy: 0.3,
  loopDelayP99Ms: 0.4,
  gcPauseMaxMs: 1.2,
  ...change,
});

/** One worker (cap 512) offering 200,000 req/s for 1 s beside the target on a 2-core box, as measured. */
const oneWorkerAt200k = (change: Partial<StepFigures>): StepFigures =>
  step(200_000, {
    achieved: 81_844,
    scheduled: 200_000,
    requests: 81_900,
    success: 81_900,
    dropped: 118_100,
    inflightCapacity: 512,
    latencyP99Ms: 30.6,
    serviceP99Ms: 3.9,
    lagP99Ms: 3,
    generatorBusy: 0.87,
    ...change,
  });

test('verdicts, one criterion at a time', () => {
  const table: Array<{ why: string; step: StepFigures; slo?: number; verdict: string; reason?: RegExp }> = [
    { why: 'healthy', step: step(1000), verdict: 'held' },
    { why: 'exactly 95% achieved still holds', step: step(1000, { achieved: 950 }), verdict: 'held' },
    { why: 'under 95% achieved', step: step(1000, { achieved: 870 }), verdict: 'broke', reason: /^achieved 87% of offered$/ },
    { why: 'exactly 1% errors still holds', step: step(1000, { failure: 100, success: 9900 }), verdict: 'held' },
    { why: 'over 1% errors', step: step(1000, { failure: 500, success: 9500 }), verdict: 'broke', reason: /^errors 5\.0% > 1\.0%$/ },
    {
      why: 'drops count as errors when the server is slow',
      step: step(1000, { dropped: 2000, serviceP99Ms: 9000, scheduled: 10000, requests: 8000, success: 8000 }),
      verdict: 'broke',
      reason: /errors 20%/,
    },
    { why: 'p99 over the SLO', step: step(1000, { latencyP99Ms: 80 }), slo: 50, verdict: 'broke', reason: /^p99 80 ms > SLO 50 ms$/ },
    { why: 'p99 within the SLO', step: step(1000, { latencyP99Ms: 40 }), slo: 50, verdict: 'held' },
    {
      why: 'nothing succeeded to measure against the SLO',
      step: step(1000, { latencyP99Ms: null, achieved: 0, success: 0, failure: 10000 }),
      slo: 50,
      verdict: 'broke',
      reason: /SLO/,
    },
    {
      why: 'several criteria at once are all named',
      step: step(1000, { achieved: 500, failure: 5000, success: 5000 }),
      verdict: 'broke',
      reason: /achieved 50%.*; errors 50%/,
    },
    {
      why: 'generator lag over its bound',
      step: step(50_000, { achieved: 30_000, lagP99Ms: 40 }),
      verdict: 'generator-limited',
      reason: /scheduler lag p99 40 ms > 5 ms/,
    },
    { why: 'lag wins over the server criteria', step: step(50_000, { lagP99Ms: 6, failure: 50_000 }), verdict: 'generator-limited' },
    {
      why: "a few ms of lag beside a server queueing for 236 ms is the server's break",
      step: step(2250, { achieved: 1721, lagP99Ms: 5.2, latencyP99Ms: 236, serviceP99Ms: 35 }),
      verdict: 'broke',
      reason: /^achieved 76% of offered$/,
    },
    {
      why: 'lag just over a tenth of the latency still counts',
      step: step(2250, { achieved: 1721, lagP99Ms: 5.2, latencyP99Ms: 51 }),
      verdict: 'generator-limited',
      reason: /scheduler lag/,
    },
    {
      why: 'large lag is never dwarfed by the latency it inflated',
      step: step(200_000, { achieved: 20_000, lagP99Ms: 900, latencyP99Ms: 1200 }),
      verdict: 'generator-limited',
    },
    {
      why: 'drops at the cap while the server answers fast',
      step: step(1000, { dropped: 300, serviceP99Ms: 2, inflightCapacity: 16 }),
      verdict: 'generator-limited',
      reason: /dropped at the in-flight cap \(16\)/,
    },
    {
      why: 'drops at the cap while the service time is the loop delay of a generator beside the server (seen: one worker at 200,000/s)',
      step: oneWorkerAt200k({ loopDelayP99Ms: 6.8 }),
      verdict: 'generator-limited',
      reason:
        /dropped at the in-flight cap \(512\) while the server answered in 3\.9 ms \(p99\), up to 6\.8 ms of it the generator's own event loop delay$/,
    },
    {
      why: 'the same drops beside a generator whose loop is prompt are the server',
      step: oneWorkerAt200k({ loopDelayP99Ms: 0.8 }),
      verdict: 'broke',
      reason: /^achieved 41% of offered; errors 59% > 1\.0%$/,
    },
    {
      why: 'a generator delay that leaves the server a share needing more than the cap is the server',
      step: oneWorkerAt200k({ serviceP99Ms: 7.8, loopDelayP99Ms: 5 }),
      verdict: 'broke',
    },
    {
      why: 'a share needing more than half the cap but less than all of it is the generator (seen: a worker quick enough not to be late)',
      step: oneWorkerAt200k({ serviceP99Ms: 6.0, loopDelayP99Ms: 3.9, generatorBusy: 0.71, lagP99Ms: 4.8 }),
      verdict: 'generator-limited',
      reason: /dropped at the in-flight cap \(512\) while the server answered in 6\.0 ms \(p99\), up to 3\.9 ms of it/,
    },
    {
      why: 'a busy generator with a shortfall',
      step: step(90_000, { achieved: 40_000, generatorBusy: 0.97, serviceP99Ms: 40 }),
      verdict: 'generator-limited',
      reason: /event loops were 97% busy/,
    },
    { why: 'a busy generator that still delivered is fine', step: step(9000, { generatorBusy: 0.97 }), verdict: 'held' },
    { why: 'a server that breaks while the generator idles', step: step(9000, { achieved: 5000, generatorBusy: 0.2 }), verdict: 'broke' },
    { why: 'no lag figure (nothing sent) is not the generator', step: step(1000, { lagP99Ms: null }), verdict: 'held' },
    { why: 'no loop delay figure (an older agent) is not the generator', step: step(1000, { loopDelayP99Ms: null }), verdict: 'held' },
  ];
  for (const row of table) {
    const judged = judgeStep(row.step, { ...DEFAULT_CRITERIA, sloP99Ms: row.slo ?? null });
    assert.equal(judged.verdict, row.verdict, `${row.why}: ${judged.reason}`);
    if (row.reason) assert.match(judged.reason ?? '', row.reason, row.why);
    if (row.verdict === 'held') assert.equal(judged.reason, null);
  }
});

test("the generator's own delay: it is blamed when it could explain the latency, never when the server is slow", () => {
  const table: Array<{ why: string; step: StepFigures; slo?: number; maxLag?: number; verdict: string; reason?: RegExp }> = [
    // the server is slow, the generator is fine: the server's figures
    {
      why: 'a slow server beside a generator that is fine is the server',
      step: step(2000, { achieved: 1500, latencyP99Ms: 236, serviceP99Ms: 230, loopDelayP99Ms: 0.8 }),
      verdict: 'broke',
      reason: /^achieved 75% of offered$/,
    },
    {
      why: 'a slow server over its SLO beside a generator that is fine is the server',
      step: step(2000, { latencyP99Ms: 80, serviceP99Ms: 78, loopDelayP99Ms: 1.5 }),
      slo: 50,
      verdict: 'broke',
      reason: /^p99 80 ms > SLO 50 ms$/,
    },
    {
      why: 'a slow server beside a generator a little late (over the bound, a small share) is the server',
      step: step(2000, { latencyP99Ms: 236, serviceP99Ms: 230, loopDelayP99Ms: 12, gcPauseMaxMs: 9 }),
      slo: 100,
      verdict: 'broke',
      reason: /^p99 236 ms > SLO 100 ms$/,
    },
    {
      why: 'a slow server that held, beside a little loop delay',
      step: step(2000, { latencyP99Ms: 300, loopDelayP99Ms: 20 }),
      verdict: 'held',
    },
    // the generator is late, the server is fast: the generator's
    {
      why: 'the issue: p99 28.6 ms at a fast server, lag fine, the loop late',
      step: step(50_000, { latencyP99Ms: 28.6, serviceP99Ms: 27, lagP99Ms: 3.1, loopDelayP99Ms: 22, gcPauseMaxMs: 14 }),
      verdict: 'generator-limited',
      reason: /^event loop delay p99 22 ms beside a latency p99 of 29 ms, GC pauses up to 14 ms$/,
    },
    {
      why: 'a loop delay that explains a p99 over the SLO: never the server break',
      step: step(40_000, { latencyP99Ms: 15, serviceP99Ms: 14, lagP99Ms: 2, loopDelayP99Ms: 12 }),
      slo: 10,
      verdict: 'generator-limited',
      reason: /^event loop delay p99 12 ms beside a latency p99 of 15 ms$/,
    },
    {
      why: 'a loop delay under half the p99 that still explains its overshoot of the SLO',
      step: step(2000, { latencyP99Ms: 60, loopDelayP99Ms: 12 }),
      slo: 50,
      verdict: 'generator-limited',
      reason: /^event loop delay p99 12 ms could account for the p99 60 ms over the SLO 50 ms$/,
    },
    {
      why: 'lag and loop delay together are both named',
      step: step(2000, { latencyP99Ms: 279, lagP99Ms: 259, loopDelayP99Ms: 262 }),
      verdict: 'generator-limited',
      reason: /^scheduler lag p99 259 ms > 5 ms; event loop delay p99 262 ms beside a latency p99 of 279 ms$/,
    },
    // borderlines
    { why: 'exactly half the p99 is enough', step: step(2000, { latencyP99Ms: 20, loopDelayP99Ms: 10 }), verdict: 'generator-limited' },
    { why: 'just under half the p99 is not', step: step(2000, { latencyP99Ms: 20, loopDelayP99Ms: 9.9 }), verdict: 'held' },
    {
      why: 'a loop delay of exactly the bound is within it, however large its share',
      step: step(2000, { latencyP99Ms: 6, loopDelayP99Ms: 5 }),
      verdict: 'held',
    },
    {
      why: 'just over the bound, most of the p99',
      step: step(2000, { latencyP99Ms: 6, loopDelayP99Ms: 5.1 }),
      verdict: 'generator-limited',
    },
    {
      why: '--max-lag is the bound of the loop delay too',
      step: step(2000, { latencyP99Ms: 30, loopDelayP99Ms: 25 }),
      maxLag: 100,
      verdict: 'held',
    },
    {
      why: 'the p99 exactly the SLO plus the loop delay could still have held',
      step: step(2000, { latencyP99Ms: 62, loopDelayP99Ms: 12 }),
      slo: 50,
      verdict: 'generator-limited',
    },
    {
      why: 'the p99 just past the SLO plus the loop delay broke on the server',
      step: step(2000, { latencyP99Ms: 62.6, loopDelayP99Ms: 12 }),
      slo: 50,
      verdict: 'broke',
      reason: /^p99 63 ms > SLO 50 ms$/,
    },
    {
      why: 'nothing succeeded: no latency for the loop delay to explain',
      step: step(2000, { latencyP99Ms: null, loopDelayP99Ms: 40, achieved: 0, success: 0, failure: 20_000 }),
      verdict: 'broke',
    },
  ];
  for (const row of table) {
    const criteria = { ...DEFAULT_CRITERIA, sloP99Ms: row.slo ?? null, lagBoundMs: row.maxLag ?? DEFAULT_CRITERIA.lagBoundMs };
    const judged = judgeStep(row.step, criteria);
    assert.equal(judged.verdict, row.verdict, `${row.why}: ${judged.reason}`);
    if (row.reason) assert.match(judged.reason ?? '', row.reason, row.why);
  }
  // the load run's Generator line decides with the same rule
  assert.equal(generatorDelayReason({ latencyP99Ms: 300, loopDelayP99Ms: 20, gcPauseMaxMs: 3 }, { lagBoundMs: 5, sloP99Ms: null }), null);
  assert.match(
    generatorDelayReason({ latencyP99Ms: 279, loopDelayP99Ms: 262, gcPauseMaxMs: 3 }, { lagBoundMs: 5, sloP99Ms: null }) ?? '',
    /^event loop delay p99 262 ms beside a latency p99 of 279 ms$/,
  );
});

test('the breaking point is the last step that held before the first that did not', () => {
  const judged = (offered: number, verdict: 'held' | 'broke' | 'generator-limited', reason: string | null = null) => ({
    offered,
    verdict,
    reason,
  });
  assert.deepEqual(
    rampOutcome([judged(1000, 'held'), judged(2000, 'held'), judged(3000, 'broke', 'achieved 80% of offered'), judged(4000, 'held')]),
    { outcome: 'broke', heldRate: 2000, stoppedAt: 3000, reason: 'achieved 80% of offered' },
  );
  assert.deepEqual(rampOutcome([judged(1000, 'broke', 'errors 5.0% > 1.0%')]), {
    outcome: 'broke',
    heldRate: null,
    stoppedAt: 1000,
    reason: 'errors 5.0% > 1.0%',
  });
  assert.deepEqual(rampOutcome([judged(1000, 'held'), judged(2000, 'held')]), {
    outcome: 'held',
    heldRate: 2000,
    stoppedAt: null,
    reason: null,
  });
  assert.deepEqual(
    rampOutcome([judged(1000, 'held'), judged(90_000, 'generator-limited', 'lag'), judged(100_000, 'broke')]),
    { outcome: 'generator-limited', heldRate: 1000, stoppedAt: 90_000, reason: 'lag' },
    "a generator-limited step is never the server's break",
  );
  assert.equal(rampOutcome([]).outcome, 'empty');
});

test('refine: bisect until the bracket is within 2% of the held rate', () => {
  assert.equal(nextRefineRate(3000, 4000), 3500);
  assert.equal(nextRefineRate(3000, 3060), null, '60 is 2% of 3000: done');
  assert.equal(nextRefineRate(3000, 3061), 3031);
  assert.equal(nextRefineRate(4000, 3000), null, 'an upside-down bracket is not refined');
  // a whole bisection converges in log2(1000 / 60) ~ 5 steps, whichever side breaks
  for (const capacity of [3001, 3333, 3500, 3999]) {
    let held = 3000;
    let broke = 4000;
    let tries = 0;
    for (let rate = nextRefineRate(held, broke); rate !== null; rate = nextRefineRate(held, broke)) {
      if (rate <= capacity) held = rate;
      else broke = rate;
      tries++;
    }
    assert.ok(tries <= 6, `${tries} tries`);
    assert.ok(held <= capacity && capacity - held <= 0.02 * held, `capacity ${capacity}: refined to ${held}`);
  }
});

test('ramp rates: equal steps by count, or a fixed increment ending at the top', () => {
  assert.deepEqual(rampRates(100, 1000, { steps: 10 }), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.deepEqual(rampRates(100, 20_000, {}).length, 10);
  assert.deepEqual(rampRates(1000, 4000, { increment: 1000 }), [1000, 2000, 3000, 4000]);
  assert.deepEqual(rampRates(1000, 3500, { increment: 1000 }), [1000, 2000, 3000, 3500]);
  assert.deepEqual(rampRates(500, 1000, { steps: 2 }), [500, 1000]);
});
