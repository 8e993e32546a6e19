/**
 * The endpoints, as a pure mapping from a request path to what to answer. The server only
 * carries the answer out (timers, streaming), so every rule here is unit-tested without a
 * socket. Paths are matched without regard to the method: a load tool may POST anything.
 */

import { STATUS_CODES } from 'node:http';

/** Largest body `/bytes/:n` serves: 64 MiB. */
export const MAX_BYTES = 64 * 1024 * 1024;
/** Longest `/delay/:ms`: one hour, in ms. */
export const MAX_DELAY_MS = 3_600_000;
/** Body length range of the classic `/test-get/:n` workload, bytes, inclusive. */
export const TEST_GET_MIN_BYTES = 500;
export const TEST_GET_MAX_BYTES = 40_000;
export const HELLO_BODY = 'hello from the stress target server\n';

export type Answer =
  /** `status` with a short text body */
  | { kind: 'text'; status: number; body: string }
  /** 200 with `bytes` bytes of filler (streamed when large) */
  | { kind: 'bytes'; bytes: number }
  /** 200 after `ms` milliseconds */
  | { kind: 'delay'; ms: number }
  /** `status` with no body at all (1xx, 204, 304 must not carry one) */
  | { kind: 'empty'; status: number };

/**
 * What to answer for `path` (the URL path; a query string is ignored). `random` returns a
 * number in [0, 1) and picks the `/test-get` length.
 */
export function route(path: string, random: () => number): Answer {
  const clean = path.split('?', 1)[0]!;
  const [, first = '', param, ...rest] = clean.split('/');
  // One optional trailing slash is tolerated (`/hello/`), deeper paths are not ours.
  const extra = rest.length > 1 || (rest.length === 1 && rest[0] !== '');
  if (extra) return notFound(clean);
  switch (first) {
    case 'test-get':
      return { kind: 'bytes', bytes: TEST_GET_MIN_BYTES + Math.floor(random() * (TEST_GET_MAX_BYTES - TEST_GET_MIN_BYTES + 1)) };
    case 'hello':
      return param ? notFound(clean) : { kind: 'text', status: 200, body: HELLO_BODY };
    case 'health':
      return param ? notFound(clean) : { kind: 'text', status: 200, body: 'ok\n' };
    case 'bytes': {
      const bytes = wholeNumber(param);
      if (bytes === undefined || bytes > MAX_BYTES) {
        return badRequest(`/bytes/:n needs n from 0 to ${MAX_BYTES} (64 MiB), got "${param ?? ''}"`);
      }
      return { kind: 'bytes', bytes };
    }
    case 'delay': {
      const ms = wholeNumber(param);
      if (ms === undefined || ms > MAX_DELAY_MS) {
        return badRequest(`/delay/:ms needs ms from 0 to ${MAX_DELAY_MS}, got "${param ?? ''}"`);
      }
      return { kind: 'delay', ms };
    }
    case 'status': {
      const status = wholeNumber(param);
      if (status === undefined || status < 100 || status > 599) {
        return badRequest(`/status/:code needs a code from 100 to 599, got "${param ?? ''}"`);
      }
      return statusAnswer(status);
    }
    default:
      return notFound(clean);
  }
}

/** The answer for `/status/:code`: bodiless where HTTP forbids a body. */
export function statusAnswer(status: number): Answer {
  if (status < 200 || status === 204 || status === 304) return { kind: 'empty', status };
  // 205 Reset Content may not carry content either, but unlike 204 it may say "length 0".
  return { kind: 'text', status, body: status === 205 ? '' : `${status} ${reasonPhrase(status)}\n` };
}

/** The status line text uWebSockets.js expects, e.g. `404 Not Found`. */
export function statusLine(status: number): string {
  return `${status} ${reasonPhrase(status)}`;
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Status';
}

/** A decimal whole number without sign or exponent ("1e3" and "0x10" are not), else undefined. */
function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : undefined;
}

function badRequest(body: string): Answer {
  return { kind: 'text', status: 400, body: `${body}\n` };
}

function notFound(path: string): Answer {
  return {
    kind: 'text',
    status: 404,
    body: `no endpoint at ${path}; try /test-get/1, /hello, /bytes/:n, /delay/:ms, /status/:code, /health\n`,
  };
}
