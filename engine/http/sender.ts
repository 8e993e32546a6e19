/**
 * One worker's HTTP side: a keep-alive pool (the lean client of lean-pool.ts, or undici's Pool as
 * the cross-check), requests sent through a tiny handler that counts body bytes as they stream
 * past (nothing is buffered), a total
 * per-request deadline, an optional body size limit, a back-off when connections cannot be
 * opened, and error classification. Every request that is sent ends in the recorder exactly
 * once: as a response, or as a failure of one class.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { ConnectGate } from './connect-gate.js';
import { LeanPool } from './lean-pool.js';
import { classifyError, errorKey, RequestAbort } from './error-class.js';
import type { IntervalRecorder } from '../measure/recorder.js';
import type { RequestLog } from './request-log.js';
import type { ErrorClass } from '../measure/snapshot.js';

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

export interface SenderOptions {
  /** the HTTP client; absent: the lean one */
  client?: ClientKind;
  /** keep-alive connections in this worker's pool */
  connections: number;
  /** total deadline per request in ms, from the moment it is handed to the pool */
  timeoutMs: number;
  /** a response body longer than this is cut off and counted as `too-large`; null: no limit */
  maxBodyBytes?: number | null;
  /** most requests held back while connections fail before an early attempt (see connect-gate.ts) */
  holdLimit?: number;
  recorder: IntervalRecorder;
  /** ms since the run's start, from a monotonic clock */
  clock: () => number;
  /** --log: one row per measured request; null: none */
  requestLog?: RequestLog | null;
}

/**
 * One request in flight. It implements undici's low-level (legacy) handler interface on purpose:
 * that path hands over raw header buffers instead of parsing every response's headers into an
 * object, which matters at tens of thousands of requests per second.
 */
class Exchange implements Dispatcher.DispatchHandler {
  sentMs = -1;
  status = 0;
  bodyBytes = 0;
  settled = false;
  abort: ((error?: Error) => void) | null = null;

  constructor(
    private readonly sender: HttpSender,
    readonly dueMs: number,
    /** the step of the run its due time falls in, where its outcome is counted */
    readonly step: number,
    readonly handedMs: number,
    readonly onDone: (() => void) | null,
    /** false for warm-up requests: sent and ended, never recorded */
    readonly measured: boolean,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    // Already settled by the deadline sweep while it waited for a connection: do not send it.
    if (this.settled) {
      abort(new RequestAbort('timeout', 'deadline passed before a connection was free'));
      return;
    }
    this.abort = abort;
    this.sentMs = this.sender.clock();
    this.sender.gate.connected();
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: { length: number }): boolean {
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.sender.maxBodyBytes) this.sender.cutOff(this);
    return true;
  }

  onComplete(): void {
    this.sender.settleResponse(this);
  }

  onError(error: Error): void {
    const errorClass = classifyError(error);
    const key = errorKey(error);
    // a request that never reached a socket failed with its connection attempt
    if (this.sentMs < 0 && !this.settled) this.sender.gate.attemptFailed(this, errorClass, key);
    this.sender.settleFailure(this, errorClass, key);
  }
}

export class HttpSender {
  readonly clock: () => number;
  readonly maxBodyBytes: number;
  private readonly requestLog: RequestLog | null;
  /** holds requests back while connections cannot be opened (see connect-gate.ts) */
  readonly gate: ConnectGate<Exchange>;
  private readonly transport: { dispatch(exchange: Exchange): void; destroy(): Promise<void> };
  private readonly recorder: IntervalRecorder;
  private readonly timeoutMs: number;
  /** in hand-over order, which is also deadline order: the sweep stops at the first live one */
  private readonly inflight = new Set<Exchange>();
  private readonly sweepTimer: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  private drainTimer: NodeJS.Timeout | null = null;
  private drainDeadlineMs = Number.POSITIVE_INFINITY;

  constructor(target: TargetSpec, options: SenderOptions) {
    const url = new URL(target.url);
    this.clock = options.clock;
    this.recorder = options.recorder;
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
    this.requestLog = options.requestLog ?? null;
    this.gate = new ConnectGate<Exchange>(
      options.timeoutMs,
      options.clock,
      {
        dispatch: (exchange) => this.dispatch(exchange),
        fail: (exchange, errorClass, key) => this.settleFailure(exchange, errorClass, key),
        isSettled: (exchange) => exchange.settled,
      },
      options.holdLimit,
    );
    const body = target.bodyBase64 === null ? null : Buffer.from(target.bodyBase64, 'base64');
    this.transport =
      options.client === 'undici'
        ? undiciTransport(url, target, body, options)
        : new LeanPool(url, { path: url.pathname + url.search, method: target.method, headers: target.headers, body }, options);
    // A fixed sweep instead of a timer per request: one timer, at any rate.
    const sweepEveryMs = Math.max(5, Math.min(100, options.timeoutMs / 10));
    this.sweepTimer = setInterval(() => this.expireOverdue(), sweepEveryMs);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Hands one request to the pool; `dueMs` is when the schedule wanted it sent, `step` the step
   * of the run that due time falls in. A request due before the measured start (the warm-up) is
   * sent and ended like any other but not recorded.
   */
  send(dueMs: number, step: number, onDone: (() => void) | null = null, measured = true): void {
    const exchange = new Exchange(this, dueMs, step, this.clock(), onDone, measured);
    this.inflight.add(exchange);
    this.gate.submit(exchange);
  }

  private dispatch(exchange: Exchange): void {
    try {
      this.transport.dispatch(exchange);
    } catch (error) {
      // Settle on a later turn: a closed-loop client would otherwise recurse straight into its next send.
      setImmediate(() => this.settleFailure(exchange, classifyError(error), errorKey(error)));
    }
  }

  /** The body passed the limit: stop reading it (undici closes the connection). */
  cutOff(exchange: Exchange): void {
    this.end(exchange, 'too-large', `response body over ${this.maxBodyBytes} bytes`);
  }

  settleResponse(exchange: Exchange): void {
    if (!this.finish(exchange)) return;
    if (!exchange.measured) return void exchange.onDone?.();
    const doneMs = this.clock();
    const sentMs = exchange.sentMs < 0 ? exchange.handedMs : exchange.sentMs;
    this.recorder.recordResponse(exchange.step, exchange.status, exchange.bodyBytes, exchange.dueMs, sentMs, doneMs);
    this.requestLog?.row(exchange.status, exchange.bodyBytes, exchange.dueMs, sentMs, doneMs, exchange.status < 400 ? null : 'http');
    exchange.onDone?.();
  }

  settleFailure(exchange: Exchange, errorClass: ErrorClass, key: string | null): void {
    if (!this.finish(exchange)) return;
    this.gate.ended(exchange);
    if (!exchange.measured) return void exchange.onDone?.();
    this.recorder.recordFailure(exchange.step, errorClass, exchange.bodyBytes, key);
    this.requestLog?.row(exchange.status, exchange.bodyBytes, exchange.dueMs, exchange.sentMs, this.clock(), errorClass);
    exchange.onDone?.();
  }

  /** Marks an exchange settled; false when it already was (a late callback after an abort). */
  private finish(exchange: Exchange): boolean {
    if (exchange.settled) return false;
    exchange.settled = true;
    this.inflight.delete(exchange);
    if (this.inflight.size === 0 && this.idleWaiters.length > 0) this.releaseIdleWaiters();
    return true;
  }

  private expireOverdue(): void {
    const expiredBefore = this.clock() - this.timeoutMs;
    for (const exchange of this.inflight) {
      if (exchange.handedMs > expiredBefore) break;
      this.end(exchange, 'timeout', `no complete response within ${this.timeoutMs} ms`);
    }
  }

  private end(exchange: Exchange, errorClass: ErrorClass, why: string): void {
    const abort = exchange.abort;
    const reason = new RequestAbort(errorClass, why);
    this.settleFailure(exchange, errorClass, reason.code);
    abort?.(reason);
  }

  /**
   * Resolves when nothing is in flight, or at `deadlineMs` (run clock) at the latest. A later call
   * with an earlier deadline (a stop during the drain) shortens the wait of earlier calls.
   */
  async drain(deadlineMs: number): Promise<void> {
    if (this.inflight.size === 0) return;
    if (deadlineMs >= this.drainDeadlineMs) return new Promise((resolve) => this.idleWaiters.push(resolve));
    this.drainDeadlineMs = deadlineMs;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(this.drainDeadlineReached, Math.max(0, deadlineMs - this.clock()));
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Timers run on the event loop's cached millisecond clock and may fire a little before the
   * deadline on the precise clock; waiting out the rest makes every request handed over before
   * the drain began reach its own deadline, so it ends as a timeout, not as interrupted.
   */
  private readonly drainDeadlineReached = (): void => {
    const leftMs = this.drainDeadlineMs - this.clock();
    if (leftMs > 0) this.drainTimer = setTimeout(this.drainDeadlineReached, Math.ceil(leftMs));
    else this.releaseIdleWaiters();
  };

  private releaseIdleWaiters(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.drainDeadlineMs = Number.POSITIVE_INFINITY;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Ends everything still in flight as `interrupted` (counted, never lost), except what is past
   * its deadline already: the sweep runs only every few ms, and a request whose deadline came
   * with the end of the drain timed out, it was not cut short.
   */
  interruptInflight(): void {
    this.expireOverdue();
    for (const exchange of [...this.inflight]) this.end(exchange, 'interrupted', 'the run ended before the response');
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.gate.close();
    this.interruptInflight();
    this.releaseIdleWaiters();
    await this.transport.destroy().catch(() => undefined);
  }
}

/** undici's keep-alive Pool behind the sender's transport: the cross-check of the lean client. */
function undiciTransport(url: URL, target: TargetSpec, body: Buffer | null, options: SenderOptions): HttpSender['transport'] {
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    // undici's own idle timers as a second line; the sender's sweep enforces the total deadline
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
    keepAliveTimeout: 30_000,
  });
  const dispatchOptions: Dispatcher.DispatchOptions = {
    origin: url.origin,
    path: url.pathname + url.search,
    method: target.method as Dispatcher.HttpMethod,
    headers: target.headers,
    body,
    // a load test must not retry behind the user's back
    idempotent: false,
    blocking: false,
  };
  return { dispatch: (exchange) => pool.dispatch(dispatchOptions, exchange), destroy: () => pool.destroy() };
}
