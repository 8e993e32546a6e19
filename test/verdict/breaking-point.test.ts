import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CRITERIA,
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
      why: 'a busy generator with a shortfall',
      step: step(90_000, { achieved: 40_000, generatorBusy: 0.97, serviceP99Ms: 40 }),
      verdict: 'generator-limited',
      reason: /event loops were 97% busy/,
    },
    { why: 'a busy generator that still delivered is fine', step: step(9000, { generatorBusy: 0.97 }), verdict: 'held' },
    { why: 'a server that breaks while the generator idles', step: step(9000, { achieved: 5000, generatorBusy: 0.2 }), verdict: 'broke' },
    { why: 'no lag figure (nothing sent) is not the generator', step: step(1000, { lagP99Ms: null }), verdict: 'held' },
  ];
  for (const row of table) {
    const judged = judgeStep(row.step, { ...DEFAULT_CRITERIA, sloP99Ms: row.slo ?? null });
    assert.equal(judged.verdict, row.verdict, `${row.why}: ${judged.reason}`);
    if (row.reason) assert.match(judged.reason ?? '', row.reason, row.why);
    if (row.verdict === 'held') assert.equal(judged.reason, null);
  }
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
