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
  /** how an https target is reached; absent: Node's defaults (certificates verified against its CAs) */
  tls?: TlsSpec;
  /** the server's Unix socket, connected to instead of the URL's host and port; absent: TCP */
  unixSocket?: string;
  /** HTTP/2 agreed through ALPN (https only, undici's client); absent: HTTP/1.1 */
  http2?: Http2Spec;
  /**
   * A weighted mix of named requests (--targets) sent instead of the one above, which is then the
   * first endpoint's; absent: every request is the one above.
   */
  endpoints?: EndpointSpec[];
}

/** How requests share an HTTP/2 connection. */
export interface Http2Spec {
  /** most streams (requests in flight) at once on one connection */
  maxStreams: number;
}

/**
 * The most endpoints a mix may have: each one keeps its own tally and latency histogram in every
 * worker and every interval (about 2 KB a snapshot), and one row in each report.
 */
export const MAX_ENDPOINTS = 64;
/** The largest weight: a ratio of a million to one is already a mix of one endpoint. */
export const MAX_WEIGHT = 1_000_000;
/** An endpoint's name: short, printable and free of the `:` that separates it in `--fail-on NAME:p99<...`. */
export const ENDPOINT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** One named request of a mix: its share of the requests is its weight over the sum of the weights. */
export interface EndpointSpec {
  name: string;
  /** absolute http(s) URL; the endpoints of one origin share its keep-alive connections */
  url: string;
  method: string;
  headers: Record<string, string>;
  /** base64, like the target's; null for none */
  bodyBase64: string | null;
  /** a positive number */
  weight: number;
}

/**
 * The TLS options of an https target, as plain data (PEM text, never file names: a load box reads
 * no local file of the controller's).
 */
export interface TlsSpec {
  /** no certificate verification (--insecure) */
  insecure: boolean;
  /** PEM certificates trusted instead of Node's CAs (--ca); null: Node's */
  ca: string | null;
  /** the client certificate chain and its private key, PEM (--cert, --key); null: none */
  cert: string | null;
  key: string | null;
  /** the name sent as SNI and checked against the certificate (--servername); null: the URL's host */
  servername: string | null;
}

/** Which HTTP client carries the requests: the lean one, or undici (the cross-check). */
export type ClientKind = 'lean' | 'undici';

export const CLIENT_KINDS: readonly ClientKind[] = ['lean', 'undici'];
