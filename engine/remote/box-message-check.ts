/**
 * What the controller accepts from a load box, checked before anything of it touches the run:
 * each message's shape (checkAgentMessage), each snapshot against the run it belongs to
 * (checkSnapshot: its interval and steps within the plan, counters that are whole, not negative
 * and add up, tallies of known keys within their caps, histograms of stress's own layout inflated
 * within a limit), and a done's worker failures against the box's workers (failuresProblem).
 * Each gives back the checked message, or one phrase saying what is wrong; the box is then lost
 * with that reason, and what it sent before stays merged. Pure, apart from zlib.
 */
import type { Histogram } from '../measure/histogram.js';
import { stripControls } from '../../common/strip-controls.js';
import {
  at,
  boolean,
  count,
  integer,
  isRecord,
  list,
  notA,
  number,
  object,
  optional,
  own,
  record,
  shown,
  text,
  type Shape,
} from '../../common/shape.js';
import { MAX_DISTINCT_KEYS, OVERFLOW_KEY } from '../measure/capped-tally.js';
import { decodeHistogramChecked, MAX_ENCODED_CHARS } from '../measure/hdr-decoding.js';
import {
  decodeSnapshot,
  ERROR_CLASSES,
  HISTOGRAM_NAMES,
  zeroCounts,
  type Counts,
  type EndpointOf,
  type EndpointStats,
  type IntervalStats,
  type Snapshot,
} from '../measure/snapshot.js';
import type { WorkerFailure } from '../run/contract.js';
import type { ReceivedAgentMessage } from './agent-protocol.js';

/**
 * The longest line a box may send, in bytes; a longer one is not read further. A snapshot is the
 * longest message: the heaviest measured (latencies spread from 1 ms to 1 h, 40 status codes, 40
 * error codes of 80 characters) takes about 120 KB per step it holds, 245 KB with three steps, so
 * 16 MiB holds more than a hundred such steps.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The longest text (an error, a worker failure) a message may carry; what is printed of it is shorter still. */
const MAX_TEXT = 65_536;
/** A plan's workers per box (plan.ts: --workers 1 to 256). */
const MAX_WORKERS = 256;
/** The longest error code kept (error-class.ts cuts them at 80 characters). */
const MAX_ERROR_CODE = 100;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const VERSION_TEXT = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;
const version: Shape = (value, path) => (typeof value === 'string' && VERSION_TEXT.test(value) ? null : notA(path, value, 'a version'));
const anObject: Shape = (value, path) => (isRecord(value) ? null : notA(path, value, 'an object'));
const runId = integer(0, MAX_SAFE);
/** Seconds since a run's start (a failure's time, a run's length). */
const seconds = number(0, 1e9);

const MESSAGES: Readonly<Record<string, Shape>> = {
  hello: object({ version, cores: integer(1, 1_000_000), pid: integer(0, 2 ** 32) }),
  pong: object({ id: integer(0, MAX_SAFE), remoteMs: number(0, MAX_SAFE) }),
  snapshot: object({ runId, snapshot: anObject }),
  done: object({
    runId,
    interrupted: boolean,
    elapsedS: seconds,
    workerFailures: list(object({ workerIndex: integer(0, MAX_WORKERS - 1), atS: seconds, message: text(MAX_TEXT) }), MAX_WORKERS),
  }),
  error: object({ message: text(MAX_TEXT) }),
};

/** A box's message with the shape its type says, or why not. A snapshot's contents are checkSnapshot's. */
export function checkAgentMessage(value: unknown): ReceivedAgentMessage | string {
  if (!isRecord(value)) return 'a message that is not an object';
  const type = own(value, 'type');
  const shape = typeof type === 'string' && Object.hasOwn(MESSAGES, type) ? MESSAGES[type]! : null;
  if (shape === null) return `a message of unknown type ${shown(type)}`;
  return shape(value, type as string) ?? (value as ReceivedAgentMessage);
}

/** Why a done's worker failures cannot be a box's of `workers` workers, or null. */
export function failuresProblem(failures: readonly WorkerFailure[], workers: number): string | null {
  if (failures.length > workers) return `done names ${failures.length} failed workers, the box has ${workers}`;
  const index = failures.findIndex((failure) => failure.workerIndex >= workers);
  return index < 0 ? null : `done.workerFailures[${index}].workerIndex is ${failures[index]!.workerIndex}, the box has ${workers} workers`;
}

/** What a snapshot is checked against: the run, and what the box sent before. */
export interface SnapshotLimits {
  /** the run's steps (ramp phases): every phase is one of them */
  stepCount: number;
  /** the last interval the box reported (-1: none); each comes after the one before */
  after: number;
  /** the highest interval number that can have ended by now */
  maxInterval: number;
  /** ms since the run's start that can have passed by now: no interval ends later */
  maxEndMs: number;
  /** the box's requests in flight as of its last snapshot: no snapshot ends more than were due */
  inFlight: number;
  /** the endpoints of the run's request mix; 0: no mix, and no endpoint figures */
  endpointCount?: number;
}

/** The counters a step part must add up to across the parts of an interval. */
const REQUEST_COUNTERS = ['scheduled', 'requests', 'responses', 'success', 'failure', 'dropped'] as const;

/** Status codes as the recorder keys them (or the tally's overflow). */
const STATUS_KEY = /^(?:[0-9]{1,4}|other)$/;
/** A protocol agreed through ALPN or a TLS version, as Node names them: a short printable word. */
const PROTOCOL_KEY = /^[\x21-\x7e]{1,40}$/;
const protocolKey = (name: string): string | null => (PROTOCOL_KEY.test(name) && name !== '__proto__' ? null : 'is not a protocol name');

function countsShape(): Shape {
  const milliseconds = number(0, MAX_SAFE);
  return object({
    ...Object.fromEntries([...REQUEST_COUNTERS, 'bodyBytes'].map((name) => [name, count])),
    generatorBusyMs: milliseconds,
    generatorObservedMs: milliseconds,
    gcPauseMs: milliseconds,
  });
}

/** The fields an interval and each of its step parts have. */
function intervalShape(limits: SnapshotLimits): Shape {
  const tallied = (key: (name: string) => string | null, maxKeys: number) => record(count, maxKeys, key);
  return object({
    phase: integer(0, limits.stepCount - 1),
    startMs: number(0, limits.maxEndMs),
    endMs: number(0, limits.maxEndMs),
    counts: countsShape(),
    statusCodes: tallied((name) => (STATUS_KEY.test(name) ? null : 'is not a status code'), MAX_DISTINCT_KEYS + 1),
    errors: tallied((name) => ((ERROR_CLASSES as readonly string[]).includes(name) ? null : 'is not an error class'), ERROR_CLASSES.length),
    errorCodes: optional(
      tallied((name) => (name.length > 0 && name.length <= MAX_ERROR_CODE ? null : 'is not an error code'), MAX_DISTINCT_KEYS + 1),
    ),
    histograms: object(Object.fromEntries(HISTOGRAM_NAMES.map((name) => [name, optional(text(MAX_ENCODED_CHARS))]))),
    // absent from older agents' snapshots
    protocols: optional(tallied(protocolKey, MAX_DISTINCT_KEYS + 1)),
    tlsVersions: optional(tallied(protocolKey, MAX_DISTINCT_KEYS + 1)),
  });
}

const sum = (tally: Readonly<Record<string, number>> | undefined): number =>
  Object.values(tally ?? {}).reduce((total, value) => total + value, 0);

/** Why an interval's (or a part's) figures, each of the right kind, do not add up as a recorder's do; or null. */
function accountingProblem(snapshot: Snapshot, path: string): string | null {
  const { counts } = snapshot;
  if (snapshot.startMs > snapshot.endMs) return `${path} ends (${snapshot.endMs} ms) before it starts (${snapshot.startMs} ms)`;
  if (counts.requests !== counts.success + counts.failure)
    return `${path}.counts: requests ${counts.requests} are not success ${counts.success} + failure ${counts.failure}`;
  if (counts.responses > counts.requests || counts.success > counts.responses)
    return `${path}.counts: responses ${counts.responses} are not from success ${counts.success} to requests ${counts.requests}`;
  if (counts.dropped > counts.scheduled) return `${path}.counts: dropped ${counts.dropped} is more than scheduled ${counts.scheduled}`;
  const errors = sum(snapshot.errors as Record<string, number>);
  if (errors !== counts.failure) return `${path}.errors add up to ${errors}, failure is ${counts.failure}`;
  const statuses = sum(snapshot.statusCodes);
  if (statuses > counts.responses) return `${path}.statusCodes add up to ${statuses}, more than responses ${counts.responses}`;
  const codes = sum(snapshot.errorCodes);
  if (codes > counts.failure) return `${path}.errorCodes add up to ${codes}, more than failure ${counts.failure}`;
  return null;
}

/** Error codes as text: without control characters, merged when two then read the same. */
function readableKeys(tally: Record<string, number>): Record<string, number> {
  const clean: Record<string, number> = {};
  for (const [key, n] of Object.entries(tally)) {
    const readable = stripControls(key, MAX_ERROR_CODE);
    const name = readable === '' || readable === '__proto__' ? OVERFLOW_KEY : readable;
    clean[name] = (Object.hasOwn(clean, name) ? clean[name]! : 0) + n;
  }
  return clean;
}

/** The interval (or part) decoded, its histograms by the checked decoder; or why one is not a histogram of ours. */
function decoded(snapshot: Snapshot, path: string): IntervalStats | string {
  const histograms: Array<[(typeof HISTOGRAM_NAMES)[number], Histogram]> = [];
  for (const name of HISTOGRAM_NAMES) {
    const encoded = own(snapshot.histograms, name);
    if (typeof encoded !== 'string') continue; // absent: an agent older than the histogram
    const histogram = decodeHistogramChecked(encoded);
    if (typeof histogram === 'string') return `${path}.histograms.${name} ${histogram}`;
    histograms.push([name, histogram]);
  }
  // the counters by name: a field the format does not have goes no further
  const counts = zeroCounts();
  for (const name of Object.keys(counts) as Array<keyof Counts>) counts[name] = snapshot.counts[name];
  const stats = decodeSnapshot({ ...snapshot, counts, histograms: {} as Snapshot['histograms'], steps: [], endpoints: [] });
  for (const [name, histogram] of histograms) stats.histograms[name].add(histogram);
  stats.errorCodes = readableKeys(stats.errorCodes);
  return stats;
}

/**
 * A box's snapshot decoded, once every field is of the right kind and within the run: the interval
 * after the box's last and one that can have ended by now, its phase and its step parts' phases
 * among the run's steps (each once), counters whole and not negative that add up (the parts to the
 * interval's, no more requests ended than were due), tallies of known keys within their caps, and
 * every histogram of stress's own layout. Or the first thing that is not.
 */
export function checkSnapshot(value: unknown, limits: SnapshotLimits): IntervalStats | string {
  if (!isRecord(value)) return 'a snapshot that is not an object';
  const path = 'snapshot';
  const interval = own(value, 'interval');
  if (!Number.isSafeInteger(interval) || (interval as number) <= limits.after || (interval as number) > limits.maxInterval)
    return notA(
      at(path, 'interval'),
      interval,
      `a whole number from ${limits.after + 1} (after the last) to ${limits.maxInterval} (the last that can have ended)`,
    );
  const fields = intervalShape(limits);
  const problem =
    integer(0, limits.stepCount)(own(value, 'stepsClosed'), at(path, 'stepsClosed')) ??
    list(anObject, limits.stepCount)(own(value, 'steps'), at(path, 'steps')) ??
    fields(value, path);
  if (problem !== null) return problem;
  const snapshot = value as unknown as Snapshot;
  const accounting = accountingProblem(snapshot, path);
  if (accounting !== null) return accounting;

  const parts = snapshot.steps!;
  const sums = Object.fromEntries(REQUEST_COUNTERS.map((name) => [name, 0])) as Record<(typeof REQUEST_COUNTERS)[number], number>;
  const seen = new Set<number>();
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    const partPath = at(at(path, 'steps'), index);
    const partProblem = fields(part, partPath) ?? accountingProblem(part, partPath);
    if (partProblem !== null) return partProblem;
    const nested = own(part as unknown as Record<string, unknown>, 'steps');
    if (nested !== undefined && !(Array.isArray(nested) && nested.length === 0)) return `${partPath} has step parts of its own`;
    if (seen.has(part.phase)) return `two parts of step ${part.phase}`;
    seen.add(part.phase);
    for (const name of REQUEST_COUNTERS) sums[name] += part.counts[name];
  }
  for (const name of REQUEST_COUNTERS) {
    if (sums[name] !== snapshot.counts[name])
      return `the step parts' ${name} add up to ${sums[name]}, the interval's is ${snapshot.counts[name]}`;
  }
  const { scheduled, dropped, requests } = snapshot.counts;
  const due = limits.inFlight + scheduled - dropped;
  if (requests > due) return `${path} ends ${requests} requests, more than the ${due} due and not dropped`;

  const endpoints = checkedEndpoints(own(value, 'endpoints'), snapshot, limits.endpointCount ?? 0);
  if (typeof endpoints === 'string') return endpoints;
  const stats = decoded(snapshot, path);
  if (typeof stats === 'string') return stats;
  stats.endpoints = endpoints;
  for (let index = 0; index < parts.length; index++) {
    const part = decoded(parts[index]!, at(at(path, 'steps'), index));
    if (typeof part === 'string') return part;
    stats.steps.push(part);
  }
  return stats;
}

const errorClasses = record(count, ERROR_CLASSES.length, (name) =>
  (ERROR_CLASSES as readonly string[]).includes(name) ? null : 'is not an error class',
);

/**
 * A snapshot's endpoint figures (a request mix), decoded once each is of the right kind: endpoints
 * of the run, each once, counters that add up (to the interval's too: every request of a mix has
 * an endpoint), and a latency histogram of stress's layout holding one value per success. Or why not.
 */
function checkedEndpoints(value: unknown, snapshot: Snapshot, endpointCount: number): EndpointStats[] | string {
  const path = 'snapshot.endpoints';
  if (value === undefined) return endpointCount === 0 || snapshot.counts.requests === 0 ? [] : `${path} is missing from a run of a mix`;
  const part = object({
    endpoint: integer(0, endpointCount - 1),
    requests: count,
    success: count,
    failure: count,
    bodyBytes: count,
    errors: errorClasses,
    latencyUs: text(MAX_ENCODED_CHARS),
  });
  const problem = endpointCount === 0 ? `${path} is there, in a run without a mix` : list(part, endpointCount)(value, path);
  if (problem !== null) return problem;
  const parts = value as Array<EndpointOf<string>>;
  const decodedParts: EndpointStats[] = [];
  const seen = new Set<number>();
  const sums = { requests: 0, success: 0, failure: 0, bodyBytes: 0 };
  for (let index = 0; index < parts.length; index++) {
    const item = parts[index]!;
    const itemPath = at(path, index);
    if (seen.has(item.endpoint)) return `two parts of endpoint ${item.endpoint}`;
    seen.add(item.endpoint);
    if (item.requests !== item.success + item.failure)
      return `${itemPath}: requests ${item.requests} are not success ${item.success} + failure ${item.failure}`;
    const errors = sum(item.errors as Record<string, number>);
    if (errors !== item.failure) return `${itemPath}.errors add up to ${errors}, failure is ${item.failure}`;
    const latencyUs = decodeHistogramChecked(item.latencyUs);
    if (typeof latencyUs === 'string') return `${itemPath}.latencyUs ${latencyUs}`;
    if (latencyUs.totalCount !== item.success)
      return `${itemPath}.latencyUs holds ${latencyUs.totalCount} values, success is ${item.success}`;
    for (const name of ['requests', 'success', 'failure', 'bodyBytes'] as const) sums[name] += item[name];
    const errorsCopy: Record<string, number> = {};
    for (const [name, n] of Object.entries(item.errors)) errorsCopy[name] = n;
    decodedParts.push({ ...item, errors: errorsCopy, latencyUs });
  }
  for (const name of ['requests', 'success', 'failure', 'bodyBytes'] as const) {
    if (sums[name] !== snapshot.counts[name])
      return `the endpoints' ${name} add up to ${sums[name]}, the interval's is ${snapshot.counts[name]}`;
  }
  return decodedParts.sort((a, b) => a.endpoint - b.endpoint);
}
