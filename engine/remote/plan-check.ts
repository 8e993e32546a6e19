/**
 * What `stress agent` accepts from a controller, checked before it is acted on: each message's
 * shape, and a plan's spec field by field, within the bounds the controller's own plan keeps
 * (plan.ts): a spec of the wrong kind (an interval of 0 ms, a start instant that is a string, a
 * slot beyond the slots) is refused with one phrase naming the field, rather than run into a worker
 * pool that hangs, fails or never ends. The spec's request log path is not looked at: the agent
 * ignores it. Pure.
 */
import {
  allOf,
  boolean,
  count,
  integer,
  isRecord,
  list,
  notA,
  nullable,
  number,
  object,
  oneOf,
  optional,
  own,
  record,
  shown,
  text,
  type Shape,
} from '../../common/shape.js';
import { CLIENT_KINDS, ENDPOINT_NAME, MAX_ENDPOINTS, MAX_WEIGHT } from '../http/target.js';
import type { RunSpec } from '../run/contract.js';
import type { ControllerMessage } from './agent-protocol.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The longest a plan's steps, run or start may be, ms: a week (plan.ts's longest --duration). */
const MAX_SPAN_MS = 7 * 24 * 3_600_000;
/** A ramp has at most 1000 steps (plan.ts). */
const MAX_SEGMENTS = 1000;
/** tchar (RFC 9110 5.6.2), as request-headers.ts checks a header's name */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** CR, LF and NUL would end a header line early: a second header, or a cut one */
const LINE_BREAKING = /[\r\n\0]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const httpUrl: Shape = (value, path) => {
  if (typeof value === 'string' && value.length <= 8192 && URL.canParse(value)) {
    const { protocol } = new URL(value);
    if (protocol === 'http:' || protocol === 'https:') return null;
  }
  return notA(path, value, 'an http:// or https:// URL');
};

const method: Shape = (value, path) =>
  typeof value === 'string' && /^[A-Z]{1,20}$/.test(value) ? null : notA(path, value, 'an HTTP method');

const headerValue: Shape = (value, path) =>
  typeof value === 'string' && value.length <= 8192 && !LINE_BREAKING.test(value) ? null : notA(path, value, 'a header value');

const body: Shape = (value, path) =>
  typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value) ? null : notA(path, value, 'base64');

/** PEM text of certificates or a key: a CA bundle of Mozilla's size is about 200 KB. */
const pem = nullable(text(4 * 1024 * 1024));
const tls = object({ insecure: boolean, ca: pem, cert: pem, key: pem, servername: nullable(text(253)) });

const segment = object({
  durationMs: number(1, MAX_SPAN_MS),
  fromRate: number(0, 1e9),
  toRate: number(0, 1e9),
});

const load: Shape = (value, path) => {
  const kind = isRecord(value) ? own(value, 'kind') : undefined;
  if (kind === 'rate') return object({ segments: list(segment, MAX_SEGMENTS) })(value, path);
  if (kind === 'clients')
    return object({
      clients: integer(1, 1_000_000),
      requests: nullable(integer(1, MAX_SAFE)),
      durationMs: nullable(number(1, MAX_SPAN_MS)),
    })(value, path);
  return isRecord(value) ? notA(`${path}.kind`, kind, 'rate or clients') : notA(path, value, 'an object');
};

const headers = record(headerValue, 1000, (name) => (HEADER_NAME.test(name) ? null : 'is not a header name'));

/** A mix's endpoint, as targets-plan.ts lets one through: a name it prints, a positive weight. */
const endpoint = object({
  name: (value, path) => (typeof value === 'string' && ENDPOINT_NAME.test(value) ? null : notA(path, value, 'an endpoint name')),
  url: httpUrl,
  method,
  headers,
  bodyBase64: nullable(body),
  weight: allOf(number(0, MAX_WEIGHT), (value, path) => (value === 0 ? notA(path, value, 'a weight more than 0') : null)),
});

const SPEC = object({
  target: object({
    url: httpUrl,
    method,
    headers,
    bodyBase64: nullable(body),
    tls: optional(tls),
    http2: optional(object({ maxStreams: integer(1, 100_000) })),
    // the controller refuses --unix-socket with load boxes: a socket path names no server of the box's
    unixSocket: (value, path) => (value === undefined ? null : `${path}: a Unix socket is not taken on a load box`),
    endpoints: optional(
      allOf(list(endpoint, MAX_ENDPOINTS), (value, path) => ((value as unknown[]).length === 0 ? `${path} is empty` : null)),
    ),
  }),
  load,
  workers: integer(1, 256),
  client: optional(oneOf(CLIENT_KINDS)),
  connections: integer(1, 100_000),
  timeoutMs: number(1, 3_600_000),
  maxInflight: integer(1, 1_000_000),
  intervalMs: number(50, 3_600_000),
  warmupMs: number(0, 3_600_000),
  workerSlots: optional(object({ first: integer(0, MAX_SAFE), total: integer(1, MAX_SAFE) })),
  startAtEpochMs: optional(number(0, MAX_SAFE)),
  maxBodyBytes: optional(nullable(count)),
});

/** Why a plan's spec cannot run here, or null. The controller built it; this guards against any other program. */
export function specProblem(spec: unknown): string | null {
  const problem = SPEC(spec, 'spec');
  if (problem !== null) return problem;
  const { workers, workerSlots, load: planned } = spec as RunSpec;
  if (workerSlots && workerSlots.first + workers > workerSlots.total)
    return `spec.workerSlots: slots ${workerSlots.first} to ${workerSlots.first + workers - 1} of ${workerSlots.total}`;
  if (planned.kind === 'clients' && planned.requests === null && planned.durationMs === null)
    return 'spec.load: a closed loop without a request count or a duration would never end';
  return null;
}

const runId = integer(0, MAX_SAFE);

const MESSAGES: Readonly<Record<string, Shape>> = {
  hello: object({ version: text(64) }),
  ping: object({ id: integer(0, MAX_SAFE) }),
  // the spec is specProblem's: its reason says `plan: spec...`
  plan: object({ runId }),
  stop: object({ runId, drainMs: number(0, 3_600_000), planned: boolean }),
};

/** A controller's message with the shape its type says, or why not. */
export function checkControllerMessage(value: unknown): ControllerMessage | string {
  if (!isRecord(value)) return 'not a protocol message';
  const type = own(value, 'type');
  const shape = typeof type === 'string' && Object.hasOwn(MESSAGES, type) ? MESSAGES[type]! : null;
  if (shape === null) return `unknown message type ${shown(type)}`;
  const problem = shape(value, type as string) ?? (type === 'plan' ? specProblem(own(value, 'spec')) : null);
  if (problem !== null) return type === 'plan' ? `plan: ${problem}` : problem;
  return value as ControllerMessage;
}
