/**
 * The one snapshot format and the one merge function. A worker thread, or a remote load box,
 * reports each interval as a `Snapshot` (JSON-safe: histograms as compressed base64); the primary
 * decodes it to `IntervalStats` and merges. Histograms are added, never averaged, so a percentile
 * of the merge is the percentile of all the values recorded anywhere; counters are sums. The
 * generator's own delay merges the same way: its maxima are the histograms' maxima (a merged
 * histogram's max is the max of its parts), its totals are counters.
 */
import { addCapped } from './capped-tally.js';
import { decodeOwnInto } from './hdr-decoding.js';
import { Histogram } from './histogram.js';

/**
 * Stable names of the ways a request can fail. Every failure is counted in exactly one.
 * `too-large`: the body passed --max-body and was cut off. Not `protocol`: HTTP puts no limit on
 * a body, so the target broke no rule; the limit is the user's, like the deadline behind `timeout`.
 * `tls`: the TLS handshake failed or the server's certificate was refused (its code says which).
 */
export const ERROR_CLASSES = [
  'refused',
  'reset',
  'timeout',
  'tls',
  'http',
  'protocol',
  'too-large',
  'generator',
  'interrupted',
  'other',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface Counts {
  /** requests that were due (sent or dropped) */
  scheduled: number;
  /** requests that ended: success + failure */
  requests: number;
  /** requests answered with an HTTP status, whatever it was */
  responses: number;
  /** responses with status < 400 */
  success: number;
  failure: number;
  /** due but not sent because the in-flight cap was reached */
  dropped: number;
  /** response body bytes of all responses */
  bodyBytes: number;
  /** time the generator's event loops were busy, ms, summed over workers (event loop utilization) */
  generatorBusyMs: number;
  /** wall time those event loops were observed, ms, summed over workers */
  generatorObservedMs: number;
  /** time the generator's threads stood still in garbage collection pauses, ms, summed over workers */
  gcPauseMs: number;
}

/**
 * `loopDelayUs`: how late the generator's event loop was, as met at a random moment (see
 * IntervalRecorder.recordLoopDelays), µs. `gcPauseUs`: each garbage collection pause, µs. Both are
 * the generator's own delay, recorded per interval (never per request) and added like the others.
 * `connectUs`: each new connection's TCP connect, µs; `tlsHandshakeUs`: its TLS handshake after
 * that (https only), µs. Connections belong to time too, not to a request or a step.
 */
export const HISTOGRAM_NAMES = [
  'latencyUs',
  'serviceUs',
  'lagUs',
  'sizeBytes',
  'loopDelayUs',
  'gcPauseUs',
  'connectUs',
  'tlsHandshakeUs',
] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

/** What an interval is, on the wire or decoded; `H` is how its histograms are held. */
interface IntervalOf<H> {
  /** index of the interval since the start of the run */
  interval: number;
  /** index of the phase (ramp step) the interval belongs to */
  phase: number;
  /** interval bounds in ms since the start of the run */
  startMs: number;
  endMs: number;
  counts: Counts;
  /** responses by status code; at most MAX_DISTINCT_KEYS codes, the rest under `other` */
  statusCodes: Record<string, number>;
  errors: Partial<Record<ErrorClass, number>>;
  /**
   * failures by finer error code (`ECONNREFUSED`, `EMFILE`, `STRESS_ERR_DEADLINE`...), capped like
   * status codes; `http` failures are in statusCodes instead. Optional on the wire (older agents).
   */
  errorCodes?: Record<string, number>;
  /**
   * latency from due time and service time (successful requests), scheduler lag (sent requests),
   * body sizes (successful), the generator's event loop delay and GC pauses. An older agent sends
   * no `loopDelayUs` or `gcPauseUs`: they decode as empty (unknown, not zero).
   */
  histograms: Record<HistogramName, H>;
  /**
   * New connections by the protocol agreed through ALPN (`http/1.1`), and over https by TLS
   * version (`TLSv1.3`), capped like status codes. Optional on the wire (older agents, step parts).
   */
  protocols?: Record<string, number>;
  tlsVersions?: Record<string, number>;
  /**
   * The interval's request figures split by the step each request was due in (a part's `phase` is
   * that step), whenever the request ended: a ramp step's figures are the sum of its parts over
   * the run, while the interval itself stays by completion time. The parts add up to the
   * interval's request figures; the generator's own figures (busy, loop delay, GC) belong to time
   * and are in the interval only. A part has no parts of its own.
   */
  steps?: Array<IntervalOf<H>>;
  /**
   * A request mix's figures by endpoint (only those with requests ended in the interval): its
   * requests whenever they were due, like the interval's. Absent without a mix (and from step parts).
   */
  endpoints?: Array<EndpointOf<H>>;
  /**
   * How many steps, from the first, are closed as of the interval's end, for every source merged
   * into it: their planned end has passed and none of their requests is in flight any more, so
   * nothing later changes them (see step-timeline.ts).
   */
  stepsClosed?: number;
}

/** One endpoint of a request mix over an interval: its requests' outcomes, added like the interval's. */
export interface EndpointOf<H> {
  /** the endpoint's index in the run's list of endpoints */
  endpoint: number;
  /** requests that ended: success + failure */
  requests: number;
  success: number;
  failure: number;
  /** response body bytes */
  bodyBytes: number;
  /** failures by class; they add up to `failure` */
  errors: Partial<Record<ErrorClass, number>>;
  /** latency from due time of its successful requests, µs: one value per success */
  latencyUs: H;
}

export type EndpointStats = EndpointOf<Histogram>;

/** One interval as it crosses a thread or a network: plain JSON, histograms as compressed base64. */
export type Snapshot = IntervalOf<string>;

/** A decoded snapshot, or the merge of many. */
export interface IntervalStats extends IntervalOf<Histogram> {
  /** how many snapshots were merged into this one */
  sources: number;
  errorCodes: Record<string, number>;
  protocols: Record<string, number>;
  tlsVersions: Record<string, number>;
  steps: IntervalStats[];
  endpoints: EndpointStats[];
  /** 0 when unknown: nothing is taken as closed before its source says so */
  stepsClosed: number;
}

/** Values are integers (µs, bytes) recorded with 3 significant digits; the range grows as needed. */
export function newHistogram(): Histogram {
  return new Histogram();
}

export function zeroCounts(): Counts {
  const counts = {
    scheduled: 0,
    requests: 0,
    responses: 0,
    success: 0,
    failure: 0,
    dropped: 0,
    bodyBytes: 0,
    // Fractions of milliseconds: made fractional (NaN) from the start, then zeroed. A field that V8
    // first saw hold whole numbers changes its representation at the first fraction, and with it
    // the hidden class of every object made here: the worker's compiled recording code was thrown
    // away at the first interval boundary.
    generatorBusyMs: Number.NaN,
    generatorObservedMs: Number.NaN,
    gcPauseMs: Number.NaN,
  };
  counts.generatorBusyMs = 0;
  counts.generatorObservedMs = 0;
  counts.gcPauseMs = 0;
  return counts;
}

export function emptyStats(interval = 0, phase = 0, startMs = 0, endMs = 0): IntervalStats {
  return {
    interval,
    phase,
    startMs,
    endMs,
    sources: 0,
    counts: zeroCounts(),
    statusCodes: {},
    errors: {},
    errorCodes: {},
    protocols: {},
    tlsVersions: {},
    histograms: Object.fromEntries(HISTOGRAM_NAMES.map((name) => [name, newHistogram()])) as Record<HistogramName, Histogram>,
    steps: [],
    endpoints: [],
    stepsClosed: 0,
  };
}

/**
 * Empties `stats` as emptyStats makes them, its histograms kept (their counts arrays with them) to
 * be filled again. Its step parts, emptied too, go to `spareParts` for mergeStats to fill again.
 */
export function resetStats(stats: IntervalStats, spareParts: IntervalStats[] | null = null): void {
  stats.interval = 0;
  stats.phase = 0;
  stats.startMs = 0;
  stats.endMs = 0;
  stats.sources = 0;
  for (const name of COUNT_NAMES) stats.counts[name] = 0;
  stats.statusCodes = {};
  stats.errors = {};
  stats.errorCodes = {};
  stats.protocols = {};
  stats.tlsVersions = {};
  for (const name of HISTOGRAM_NAMES) stats.histograms[name].reset();
  for (const part of stats.steps) {
    resetStats(part);
    spareParts?.push(part);
  }
  stats.steps.length = 0;
  stats.endpoints = [];
  stats.stepsClosed = 0;
}

export function emptyEndpoint(endpoint: number): EndpointStats {
  return { endpoint, requests: 0, success: 0, failure: 0, bodyBytes: 0, errors: {}, latencyUs: newHistogram() };
}

export function encodeHistogram(histogram: Histogram): string {
  return histogram.encode();
}

/**
 * A snapshot as stats, each histogram decoded in one allocation sized to its range. A load box's
 * are checked and decoded by remote/box-message-check.ts.
 */
export function decodeSnapshot(snapshot: Snapshot): IntervalStats {
  return new SnapshotDecoder().decode(snapshot);
}

/**
 * Decodes the snapshots of one of this process's own worker threads, every interval, into the
 * same histograms each time: what it returns holds until its next decode, which is all the
 * primary needs (it adds each snapshot into the merged interval at once). Decoding into new
 * histograms each time gave the primary megabytes of count arrays a minute that only a garbage
 * collection returned, and its resident memory swung by 10 MiB and more with them.
 */
export class SnapshotDecoder {
  private readonly histograms: Histogram[] = [];
  /** histograms handed out by the decode under way */
  private used = 0;
  private bytes = Buffer.alloc(0);

  decode(snapshot: Snapshot): IntervalStats {
    this.used = 0;
    return this.stats(snapshot);
  }

  private stats(snapshot: Snapshot): IntervalStats {
    const histograms = {} as Record<HistogramName, Histogram>;
    for (const name of HISTOGRAM_NAMES) {
      // absent from the snapshots of agents older than the histogram
      const encoded: string | undefined = snapshot.histograms[name];
      histograms[name] = this.histogram(encoded);
    }
    return {
      interval: snapshot.interval,
      phase: snapshot.phase,
      startMs: snapshot.startMs,
      endMs: snapshot.endMs,
      sources: 1,
      counts: { ...zeroCounts(), ...snapshot.counts },
      statusCodes: { ...snapshot.statusCodes },
      errors: { ...snapshot.errors },
      errorCodes: { ...snapshot.errorCodes },
      protocols: { ...snapshot.protocols },
      tlsVersions: { ...snapshot.tlsVersions },
      histograms,
      steps: (snapshot.steps ?? []).map((part) => this.stats(part)),
      endpoints: (snapshot.endpoints ?? []).map((part) => ({
        ...part,
        errors: { ...part.errors },
        latencyUs: this.histogram(part.latencyUs),
      })),
      stepsClosed: snapshot.stepsClosed ?? 0,
    };
  }

  /** The next histogram of this decode, holding `encoded` (empty when undefined). */
  private histogram(encoded: string | undefined): Histogram {
    let histogram = this.histograms[this.used];
    if (histogram === undefined) {
      histogram = newHistogram();
      this.histograms.push(histogram);
    }
    this.used++;
    if (encoded === undefined) {
      histogram.reset();
    } else {
      // base64 is 4 characters for 3 bytes
      const most = (encoded.length >>> 2) * 3 + 3;
      if (this.bytes.length < most) this.bytes = Buffer.allocUnsafeSlow(Math.max(most, this.bytes.length * 2));
      decodeOwnInto(this.bytes.subarray(0, this.bytes.write(encoded, 'base64')), histogram);
    }
    return histogram;
  }
}

/** Encodes merged stats back to the wire format (an agent forwarding a merge of its workers). */
export function encodeStats(stats: IntervalStats): Snapshot {
  const histograms = {} as Record<HistogramName, string>;
  for (const name of HISTOGRAM_NAMES) histograms[name] = encodeHistogram(stats.histograms[name]);
  return {
    interval: stats.interval,
    phase: stats.phase,
    startMs: stats.startMs,
    endMs: stats.endMs,
    counts: { ...stats.counts },
    statusCodes: { ...stats.statusCodes },
    errors: { ...stats.errors },
    errorCodes: { ...stats.errorCodes },
    protocols: { ...stats.protocols },
    tlsVersions: { ...stats.tlsVersions },
    histograms,
    steps: stats.steps.map(encodeStats),
    ...(stats.endpoints.length > 0
      ? { endpoints: stats.endpoints.map((part) => ({ ...part, errors: { ...part.errors }, latencyUs: encodeHistogram(part.latencyUs) })) }
      : {}),
    stepsClosed: stats.stepsClosed,
  };
}

/** Adds a tally (counts by key, some keys absent) into another: own keys only, never a name `into` inherits. */
export function addTally<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const key of Object.keys(from) as K[]) into[key] = (Object.hasOwn(into, key) ? (into[key] ?? 0) : 0) + (from[key] ?? 0);
}

const COUNT_NAMES = Object.keys(zeroCounts()) as Array<keyof Counts>;

/** Adds every counter of `from` into `into`. */
export function addCounts(into: Counts, from: Counts): void {
  for (const name of COUNT_NAMES) into[name] += from[name];
}

/**
 * Adds `from` into `into`. The interval bounds widen to cover both, so merging the intervals of a
 * phase gives the phase, and merging everything gives the run. Counters add; histograms add; step
 * parts add up step by step, so merging everything also gives each step. How many steps are closed
 * is a matter of one interval across its sources, not of a sum: IntervalMerger keeps it.
 */
export function mergeStats(into: IntervalStats, from: IntervalStats, spareParts: IntervalStats[] | null = null): IntervalStats {
  if (into.sources === 0) {
    into.interval = from.interval;
    into.phase = from.phase;
    into.startMs = from.startMs;
    into.endMs = from.endMs;
  } else {
    into.startMs = Math.min(into.startMs, from.startMs);
    into.endMs = Math.max(into.endMs, from.endMs);
  }
  into.sources += from.sources;
  addCounts(into.counts, from.counts);
  // keys from the target are capped again: each source kept its own first keys
  addCapped(into.statusCodes, from.statusCodes);
  addCapped(into.errorCodes, from.errorCodes);
  addCapped(into.protocols, from.protocols);
  addCapped(into.tlsVersions, from.tlsVersions);
  addTally(into.errors, from.errors);
  for (const name of HISTOGRAM_NAMES) into.histograms[name].add(from.histograms[name]);
  for (const part of from.steps) mergeStats(stepPart(into, part, spareParts), part);
  for (const part of from.endpoints) addEndpoint(endpointPart(into, part.endpoint), part);
  return into;
}

/** Adds one endpoint's figures into another's: counters add, histograms add. */
export function addEndpoint(into: EndpointStats, from: EndpointStats): void {
  into.requests += from.requests;
  into.success += from.success;
  into.failure += from.failure;
  into.bodyBytes += from.bodyBytes;
  addTally(into.errors, from.errors);
  into.latencyUs.add(from.latencyUs);
}

/** The figures of endpoint `endpoint` in `stats`, added empty when there are none yet (in endpoint order). */
function endpointPart(stats: IntervalStats, endpoint: number): EndpointStats {
  // at most 64 endpoints, merged once per interval and source: a scan is all it takes
  for (const part of stats.endpoints) if (part.endpoint === endpoint) return part;
  const part = emptyEndpoint(endpoint);
  stats.endpoints.push(part);
  stats.endpoints.sort((a, b) => a.endpoint - b.endpoint);
  return part;
}

/**
 * The part of `stats` for the step of `like` (its phase), added empty when there is none yet: a
 * spare one when there is (resetStats), which the merge then gives `like`'s bounds as it would a new one.
 */
function stepPart(stats: IntervalStats, like: IntervalStats, spareParts: IntervalStats[] | null): IntervalStats {
  // a ramp has tens of steps, an interval parts of one or two: a scan is all it takes
  for (const part of stats.steps) if (part.phase === like.phase) return part;
  const part = spareParts?.pop() ?? emptyStats(like.interval, like.phase, like.startMs, like.endMs);
  part.phase = like.phase;
  stats.steps.push(part);
  return part;
}
