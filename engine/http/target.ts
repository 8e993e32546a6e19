/**
 * What a worker sends and with which client: plain data, shared by the plan, the worker protocol
 * and the load boxes' protocol without pulling in either HTTP client.
 */

export interface TargetSpec {
  /** absolute http(s) URL */
  url: string;
  method: string;
  headers: Record<string, string>;
  /** request body, base64 so that the spec stays JSON-safe for remote agents; null for none */
  bodyBase64: string | null;
}

/** Which HTTP client carries the requests: the lean one, or undici (the cross-check). */
export type ClientKind = 'lean' | 'undici';

export const CLIENT_KINDS: readonly ClientKind[] = ['lean', 'undici'];
