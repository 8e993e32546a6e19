/**
 * Pure judgement of a stress ramp: each step's verdict, the breaking point, and the bisection
 * that refines it. No I/O; the tables in test/breaking-point.test.ts are the specification.
 *
 * A step holds when its error rate (failures and drops over scheduled) is at most `maxErrorRate`,
 * it achieved at least `minAchievedRatio` of the offered rate, and its p99 latency is within the
 * SLO when one is given. Before blaming the server, the step is checked for the generator's own
 * limits: a scheduler lag p99 over its bound (unless the step's latency p99 is ten times the lag
 * or more: lateness adds at most the lag to a latency, so it cannot be what failed the step), or
 * a generator delay that could explain the latency (below), or drops at the in-flight cap while
 * the server was answering fast enough that the cap should never have been reached (Little's
 * law: concurrency = rate x the server's share of the service time, see serverShareMs), or a
 * shortfall while the generator's event loops were nearly always busy. Such a step is `generator-limited`, never the server's breaking point.
 *
 * The generator's delay. The lag only says how late a request left. A busy event loop or a GC
 * pause in a worker also delays the reading of responses that arrived in time, and that delay
 * lands in the latency and in the service time alike (both end when the worker reads the
 * response), so a small service time cannot be asked for as separate evidence: the measured one
 * is inflated too. What can be compared is the loop's own delay with the latency it is part of.
 * The loop delay p99 is the delay met at a random moment (the sampler's stalls are filled in, see
 * IntervalRecorder.recordLoopDelays), so it is the generator's share of a request's p99 as the
 * request met the loop once; it meets it twice (when it is sent and when its answer is read), so
 * the figure understates rather than overstates what the generator added. GC pauses stop the
 * loop, so they are inside that figure; they are named in the reason when they alone pass the
 * bound, to say why the loop was late. The rule, with D the loop delay p99 and L the latency p99:
 *   - D must exceed the lag bound (--max-lag, 5 ms by default): the same "how late this machine
 *     may be" as the lag, so a contended box whose lag is tolerated is tolerated here too, and
 *     the sub-millisecond delays of any loop never judge a step;
 *   - and D >= L / 2 (LOOP_DELAY_SHARE): half of the latency p99 or more could be the generator's,
 *     so it is not a figure of the server. A truly slow server has L far above D (200 ms beside
 *     2 ms) and is judged on its own figures, however busy the generator was;
 *   - or, with an SLO, L > SLO while L - D <= SLO: without the generator's delay the p99 could
 *     have been within the SLO, so the SLO's failure cannot be laid on the server.
 * An open loop's rule: its requests are due at random moments of the loop's time, so they meet
 * its delay as the figure counts it. A closed loop's clients wait out a stall instead (its
 * latency p99 can stay low beside a long stall), so its summary shows the figures, no verdict.
 */
import { round } from '../../common/format.js';
import type { IntervalStats } from '../measure/snapshot.js';
import { generatorDelay, percentile } from '../measure/statistics.js';

export type Verdict = 'held' | 'broke' | 'generator-limited';

export interface StepFigures {
  /** offered requests/s */
  offered: number;
  /** responses/s during the step, whatever their status: errors are judged apart */
  achieved: number;
  scheduled: number;
  requests: number;
  success: number;
  failure: number;
  dropped: number;
  latencyP99Ms: number | null;
  serviceP99Ms: number | null;
  lagP99Ms: number | null;
  /** the generator's in-flight capacity: cap per worker x workers */
  inflightCapacity: number;
  /** share of the step the generator's event loops were busy, 0..1; null when unknown */
  generatorBusy: number | null;
  /** the generator's event loop delay p99, as met at a random moment, ms; null when unknown */
  loopDelayP99Ms: number | null;
  /** the generator's longest GC pause, ms; null when unknown */
  gcPauseMaxMs: number | null;
}

/**
 * What a step is judged on, in two views of the run. `due`: the requests due in the step, whatever
 * became of them and whenever they ended (counts, error classes, latency, service time, lag), so
 * the slowest answers of a breaking step count against it. `during`: what happened while the step
 * ran, by completion time, as the intervals are: the responses that arrived then (the achieved
 * rate is the server's pace over the step's time, not a count of the step's requests, which would
 * let a server that queues every excess request look as fast as offered) and the generator's own
 * busy time and delays, which belong to time, not to requests. For a whole run the two are one.
 */
export interface StepStats {
  due: IntervalStats;
  during: IntervalStats;
}

/**
 * A step's figures from its merged stats over `durationS`, offered `offered` req/s by a generator
 * that holds at most `inflightCapacity` requests in flight.
 */
export function stepFigures(step: StepStats, offered: number, durationS: number, inflightCapacity: number): StepFigures {
  const { counts, histograms } = step.due;
  const during = step.during.counts;
  const delay = generatorDelay(step.during);
  return {
    offered,
    achieved: during.responses / durationS,
    scheduled: counts.scheduled,
    requests: counts.requests,
    success: counts.success,
    failure: counts.failure,
    dropped: counts.dropped,
    latencyP99Ms: percentile(histograms.latencyUs, 99, 1000),
    serviceP99Ms: percentile(histograms.serviceUs, 99, 1000),
    lagP99Ms: percentile(histograms.lagUs, 99, 1000),
    inflightCapacity,
    generatorBusy: during.generatorObservedMs > 0 ? during.generatorBusyMs / during.generatorObservedMs : null,
    loopDelayP99Ms: delay.loopP99,
    gcPauseMaxMs: delay.gcPauseMax,
  };
}

export interface Criteria {
  /** most (failures + drops) / scheduled for a step to hold, 0..1 */
  maxErrorRate: number;
  /** least achieved / offered for a step to hold, 0..1 */
  minAchievedRatio: number;
  /** p99 latency bound in ms, or null for none */
  sloP99Ms: number | null;
  /** scheduler lag p99 above this means the generator fell behind, ms */
  lagBoundMs: number;
  /** event loop utilization above this, with a shortfall, means the generator ran out of CPU */
  busyBound: number;
}

export const DEFAULT_CRITERIA: Criteria = { maxErrorRate: 0.01, minAchievedRatio: 0.95, sloP99Ms: null, lagBoundMs: 5, busyBound: 0.9 };

export interface Judgement {
  verdict: Verdict;
  /** why it broke or was generator-limited; null when it held */
  reason: string | null;
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
const msText = (value: number): string => `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;

/** Errors counted against a step: failures plus drops, over everything that was due. */
export function errorRate(step: Pick<StepFigures, 'failure' | 'dropped' | 'scheduled'>): number {
  return step.scheduled > 0 ? (step.failure + step.dropped) / step.scheduled : 0;
}

/**
 * How many times the lag the step's latency p99 must be for a late generator to be beside the
 * point. Past its capacity a server queues, latency climbs to hundreds of ms, and on a shared box
 * the same CPU contention nudges the scheduler a few ms late: that step broke on the server, and
 * calling it generator-limited would hide the breaking point. A generator that is truly behind
 * has a lag that grows with the step, and latency (which includes it) stays close to it.
 */
export const LAG_DWARFED_BY = 10;

/** The share of the latency p99 the generator's loop delay p99 must reach to explain it (see the top). */
export const LOOP_DELAY_SHARE = 0.5;

/**
 * Why the generator's own delay could explain the step's latency p99 (or its failing the SLO),
 * or null when it cannot. The rule is in the comment at the top of this file.
 */
export function generatorDelayReason(
  step: Pick<StepFigures, 'latencyP99Ms' | 'loopDelayP99Ms' | 'gcPauseMaxMs'>,
  criteria: Pick<Criteria, 'lagBoundMs' | 'sloP99Ms'>,
): string | null {
  const { latencyP99Ms: latency, loopDelayP99Ms: delay } = step;
  if (delay === null || latency === null || !(delay > criteria.lagBoundMs)) return null;
  const gc = step.gcPauseMaxMs !== null && step.gcPauseMaxMs > criteria.lagBoundMs ? `, GC pauses up to ${msText(step.gcPauseMaxMs)}` : '';
  if (delay >= LOOP_DELAY_SHARE * latency) {
    return `event loop delay p99 ${msText(delay)} beside a latency p99 of ${msText(latency)}${gc}`;
  }
  const slo = criteria.sloP99Ms;
  if (slo !== null && latency > slo && latency - delay <= slo) {
    return `event loop delay p99 ${msText(delay)} could account for the p99 ${msText(latency)} over the SLO ${msText(slo)}${gc}`;
  }
  return null;
}

/**
 * The server's share of a service time: a response that arrived in time still waits for a busy
 * loop to be read, so the generator's loop delay is inside the measured service time. When the
 * generator saturates one core beside the server, that delay is the whole service time, and
 * Little's law on the raw figure would lay the in-flight cap's drops on the server.
 */
function serverShareMs(serviceP99Ms: number, loopDelayP99Ms: number): number {
  return Math.max(0, serviceP99Ms - loopDelayP99Ms);
}

export function judgeStep(step: StepFigures, criteria: Criteria = DEFAULT_CRITERIA): Judgement {
  const lagDwarfed = step.lagP99Ms !== null && step.latencyP99Ms !== null && step.latencyP99Ms >= LAG_DWARFED_BY * step.lagP99Ms;
  const generator: string[] = [];
  if (step.lagP99Ms !== null && step.lagP99Ms > criteria.lagBoundMs && !lagDwarfed) {
    generator.push(`scheduler lag p99 ${msText(step.lagP99Ms)} > ${criteria.lagBoundMs} ms`);
  }
  const delayed = generatorDelayReason(step, criteria);
  if (delayed !== null) generator.push(delayed);
  if (generator.length > 0) return { verdict: 'generator-limited', reason: generator.join('; ') };
  const ratio = step.offered > 0 ? step.achieved / step.offered : 1;
  const shortfall = step.dropped > 0 || ratio < criteria.minAchievedRatio;
  if (shortfall && step.generatorBusy !== null && step.generatorBusy > criteria.busyBound) {
    // A saturated generator also slows its own reading of responses: service times and drops
    // would be blamed on the server, so nothing in this step can be.
    return { verdict: 'generator-limited', reason: `the generator's event loops were ${pct(step.generatorBusy)} busy` };
  }
  if (step.dropped > 0 && step.serviceP99Ms !== null) {
    const loopDelay = step.loopDelayP99Ms ?? 0;
    const concurrencyNeeded = (step.offered * serverShareMs(step.serviceP99Ms, loopDelay)) / 1000;
    // the p99 already bounds the mean that Little's law asks for: no further margin. Half the cap,
    // the bound before, laid on the server the drops of a single worker offered 200,000 req/s
    // once the worker was quick enough not to be late (a server share of 2.1 ms: 416 of 512)
    if (concurrencyNeeded < step.inflightCapacity) {
      const ofIt =
        loopDelay > 0 && loopDelay >= step.serviceP99Ms / 2
          ? `, up to ${msText(loopDelay)} of it the generator's own event loop delay`
          : '';
      return {
        verdict: 'generator-limited',
        reason: `${step.dropped} requests dropped at the in-flight cap (${step.inflightCapacity}) while the server answered in ${msText(step.serviceP99Ms)} (p99)${ofIt}`,
      };
    }
  }
  const failed: string[] = [];
  if (ratio < criteria.minAchievedRatio) failed.push(`achieved ${pct(ratio)} of offered`);
  const errors = errorRate(step);
  if (errors > criteria.maxErrorRate) failed.push(`errors ${pct(errors)} > ${pct(criteria.maxErrorRate)}`);
  if (criteria.sloP99Ms !== null) {
    if (step.latencyP99Ms === null) failed.push('no successful request to measure p99 against the SLO');
    else if (step.latencyP99Ms > criteria.sloP99Ms) failed.push(`p99 ${msText(step.latencyP99Ms)} > SLO ${msText(criteria.sloP99Ms)}`);
  }
  return failed.length === 0 ? { verdict: 'held', reason: null } : { verdict: 'broke', reason: failed.join('; ') };
}

export interface RampOutcome {
  /** how the ramp ended */
  outcome: 'broke' | 'held' | 'generator-limited' | 'empty';
  /** highest offered rate that held before the first non-held step (null if none held) */
  heldRate: number | null;
  /** offered rate of the first step that broke or was generator-limited */
  stoppedAt: number | null;
  reason: string | null;
}

/**
 * Reads the judged steps in order: the first step that did not hold decides the outcome; the
 * breaking point is the step before it. A generator-limited step ends the reading: nothing
 * above it says anything about the server.
 */
export function rampOutcome(steps: ReadonlyArray<{ offered: number } & Judgement>): RampOutcome {
  let heldRate: number | null = null;
  for (const step of steps) {
    if (step.verdict === 'held') {
      heldRate = step.offered;
      continue;
    }
    return { outcome: step.verdict, heldRate, stoppedAt: step.offered, reason: step.reason };
  }
  return { outcome: steps.length === 0 ? 'empty' : 'held', heldRate, stoppedAt: null, reason: null };
}

/** Relative width of the bracket at which refining stops. */
export const REFINE_TOLERANCE = 0.02;

/**
 * The next rate to try between a rate that held and one that broke, or null when the bracket is
 * already within `tolerance` of the held rate. Rates are whole requests/s.
 */
export function nextRefineRate(heldRate: number, brokeRate: number, tolerance = REFINE_TOLERANCE): number | null {
  if (!(brokeRate > heldRate)) return null;
  if (brokeRate - heldRate <= tolerance * heldRate) return null;
  const middle = Math.round((heldRate + brokeRate) / 2);
  return middle > heldRate && middle < brokeRate ? middle : null;
}

/** Rates of a ramp: `steps` equal increments from `from` to `to`, or a fixed `increment`. */
export function rampRates(from: number, to: number, options: { steps?: number; increment?: number }): number[] {
  if (options.increment !== undefined) {
    const rates: number[] = [];
    for (let rate = from; rate < to - 1e-9; rate += options.increment) rates.push(round(rate));
    rates.push(to);
    return rates;
  }
  const steps = Math.max(2, options.steps ?? 10);
  return Array.from({ length: steps }, (_, i) => round(from + ((to - from) * i) / (steps - 1)));
}
