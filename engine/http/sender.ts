/**
 * One worker's HTTP side: a keep-alive pool (the lean client of lean-pool.ts, or undici's Pool as
 * the cross-check), requests sent through a tiny handler that counts body bytes as they stream
 * past (nothing is buffered), a total
 * per-request deadline, an optional body size limit, a back-off when connections cannot be
 * opened, and error classification. Every request that is sent ends in the recorder exactly
 * once: as a response, or as a failure of one class.
 */
import { ConnectGate } from './connect-gate.js';
import { classifyError, errorKey, RequestAbort } from './error-class.js';
import { Exchange, InflightList, type ExchangeOwner } from './exchange.js';
import { openTransport } from './open-transport.js';
import type { Transport } from './transport.js';
import type { ClientKind, EndpointSpec, TargetSpec } from './target.js';
import type { IntervalRecorder } from '../measure/recorder.js';
import type { RequestLog } from './request-log.js';
import type { ErrorClass } from '../measure/snapshot.js';

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
  /**
   * where the outcomes of requests sent unmeasured (the warm-up's) are recorded, never reported: a
   * recorder like `recorder`, so that the warm-up runs the code a measured request runs (see
   * load/scheduler.ts). Absent: every request is measured.
   */
  warmupRecorder?: IntervalRecorder;
  /** ms since the run's start, from a monotonic clock */
  clock: () => number;
  /** --log: one row per measured request; null: none */
  requestLog?: RequestLog | null;
  /**
   * closed loop: a request is due when it goes onto a connection, so its latency is its service
   * time (there is no schedule; the wait for a connection, a first connect among it, is neither)
   */
  dueWhenSent?: boolean;
}

export class HttpSender implements ExchangeOwner {
  readonly clock: () => number;
  readonly maxBodyBytes: number;
  private readonly requestLog: RequestLog | null;
  private readonly dueWhenSent: boolean;
  /**
   * By endpoint: the gate that holds its requests back while connections to its origin cannot be
   * opened (see connect-gate.ts). One per origin: a mix's refused origin holds back only its own.
   */
  readonly gateOf: ConnectGate<Exchange>[];
  private readonly gates: ConnectGate<Exchange>[];
  /** one transport (keep-alive pool) per origin */
  private readonly transports: Transport[];
  /** by endpoint: its origin's transport, and its index among that transport's requests */
  private readonly transportOf: Transport[];
  private readonly requestOf: number[];
  private readonly recorder: IntervalRecorder;
  private readonly warmupRecorder: IntervalRecorder;
  private readonly timeoutMs: number;
  /**
   * Why the sender ends a request, one error each for the sender's life: a target that stalls has
   * every request time out, and an Error a request (its stack captured, living until the deadline)
   * cost the CPU of the capture and left megabytes of promoted garbage in the worker's heap per
   * outage. Nothing keeps or changes them: the clients only read their class and code.
   */
  private readonly overdue: RequestAbort;
  private readonly tooLarge: RequestAbort;
  private readonly interrupted = new RequestAbort('interrupted', 'the run ended before the response');
  /** in hand-over order, which is also deadline order: the sweep stops at the first live one */
  private readonly inflight = new InflightList(this);
  /** exchanges their client is done with, ready for the next request */
  private readonly spare: Exchange[] = [];
  private readonly sweepTimer: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];
  private drainTimer: NodeJS.Timeout | null = null;
  private drainDeadlineMs = Number.POSITIVE_INFINITY;

  /** A sender on the client `options.client` asks for (loaded first, when it is undici). */
  static async open(target: TargetSpec, options: SenderOptions): Promise<HttpSender> {
    return new HttpSender(await openRoutes(target, options), options);
  }

  private constructor(routes: Routes, options: SenderOptions) {
    this.transports = routes.transports;
    this.transportOf = routes.transportOf;
    this.requestOf = routes.requestOf;
    this.clock = options.clock;
    this.recorder = options.recorder;
    this.warmupRecorder = options.warmupRecorder ?? options.recorder;
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
    this.overdue = new RequestAbort('timeout', `no complete response within ${this.timeoutMs} ms`);
    this.tooLarge = new RequestAbort('too-large', `response body over ${this.maxBodyBytes} bytes`);
    this.requestLog = options.requestLog ?? null;
    this.dueWhenSent = options.dueWhenSent ?? false;
    const actions = {
      dispatch: (exchange: Exchange) => this.dispatch(exchange),
      fail: (exchange: Exchange, errorClass: ErrorClass, key: string) => this.settleFailure(exchange, errorClass, key),
      isSettled: (exchange: Exchange) => exchange.settled,
    };
    this.gates = this.transports.map(() => new ConnectGate<Exchange>(options.timeoutMs, options.clock, actions, options.holdLimit));
    this.gateOf = this.transportOf.map((transport) => this.gates[this.transports.indexOf(transport)]!);
    // A fixed sweep instead of a timer per request: one timer, at any rate.
    const sweepEveryMs = Math.max(5, Math.min(100, options.timeoutMs / 10));
    this.sweepTimer = setInterval(() => this.expireOverdue(), sweepEveryMs);
  }

  /** Opens the keep-alive connections before the first request is due (at the warm-up's start). */
  openConnections(): void {
    for (const transport of this.transports) transport.openAll();
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Hands one request to the pool; `dueMs` is when the schedule wanted it sent, `step` the step
   * of the run that due time falls in. A request due before the measured start (the warm-up) is
   * sent and ended like any other but not recorded. `nowMs`: the clock, when the caller has just
   * read it (a clock read is a tenth of a microsecond, four a request were 3% of a worker's CPU).
   * `endpoint`: which endpoint of a mix it goes to (endpoint-mix.ts; 0 without a mix).
   */
  send(dueMs: number, step: number, onDone: (() => void) | null = null, measured = true, nowMs = this.clock(), endpoint = 0): void {
    const exchange = this.spare.pop() ?? new Exchange(this);
    exchange.start(dueMs, step, nowMs, onDone, measured, endpoint, this.requestOf[endpoint]!);
    this.inflight.add(exchange);
    // a request written within this call was sent at `nowMs`: no second clock read (see Exchange.onConnect)
    exchange.handing = true;
    this.gateOf[endpoint]!.submit(exchange);
    exchange.handing = false;
  }

  private dispatch(exchange: Exchange): void {
    try {
      this.transportOf[exchange.endpoint]!.dispatch(exchange);
    } catch (error) {
      // Settle on a later turn: a closed-loop client would otherwise recurse straight into its next send.
      setImmediate(() => this.settleFailure(exchange, classifyError(error), errorKey(error)));
    }
  }

  /** The body passed the limit: stop reading it (undici closes the connection). */
  cutOff(exchange: Exchange): void {
    this.end(exchange, this.tooLarge);
  }

  settleResponse(exchange: Exchange): void {
    if (!this.finish(exchange)) return;
    const doneMs = this.clock();
    const sentMs = exchange.sentMs < 0 ? exchange.handedMs : exchange.sentMs;
    const dueMs = this.dueWhenSent ? sentMs : exchange.dueMs;
    // every field read whatever the request: one the warm-up never read made V8 throw the compiled
    // response path away at the first measured answer (and compile it again)
    const { recorder: measuredRecorder, warmupRecorder, requestLog } = this;
    const recorder = exchange.measured ? measuredRecorder : warmupRecorder;
    recorder.recordResponse(exchange.step, exchange.status, exchange.bodyBytes, dueMs, sentMs, doneMs, exchange.endpoint);
    if (exchange.measured)
      requestLog?.row(exchange.status, exchange.bodyBytes, dueMs, sentMs, doneMs, exchange.status < 400 ? null : 'http');
    exchange.onDone?.();
  }

  settleFailure(exchange: Exchange, errorClass: ErrorClass, key: string | null): void {
    if (!this.finish(exchange)) return;
    this.gateOf[exchange.endpoint]!.ended(exchange);
    const { recorder: measuredRecorder, warmupRecorder, requestLog } = this;
    const recorder = exchange.measured ? measuredRecorder : warmupRecorder;
    recorder.recordFailure(exchange.step, errorClass, exchange.bodyBytes, key, exchange.endpoint);
    if (exchange.measured) requestLog?.row(exchange.status, exchange.bodyBytes, exchange.dueMs, exchange.sentMs, this.clock(), errorClass);
    exchange.onDone?.();
  }

  /**
   * Called after a client's last call on an exchange. Only a settled one is reused: one the sweep
   * ended is settled already, and its client's call after the abort is its last.
   */
  recycle(exchange: Exchange): void {
    if (exchange.settled) this.spare.push(exchange);
  }

  /** Marks an exchange settled; false when it already was (a late callback after an abort). */
  private finish(exchange: Exchange): boolean {
    if (exchange.settled) return false;
    exchange.settled = true;
    this.inflight.remove(exchange);
    // the waiters first: read on every call, so their first use after the warm-up is no surprise to V8
    if (this.idleWaiters.length > 0 && this.inflight.size === 0) this.releaseIdleWaiters();
    return true;
  }

  private expireOverdue(): void {
    const expiredBefore = this.clock() - this.timeoutMs;
    for (let exchange = this.inflight.first; exchange !== null && exchange.handedMs <= expiredBefore; exchange = this.inflight.first)
      this.end(exchange, this.overdue);
  }

  private end(exchange: Exchange, reason: RequestAbort): void {
    const abort = exchange.abort;
    this.settleFailure(exchange, reason.errorClass, reason.code);
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
    for (let exchange = this.inflight.first; exchange !== null; exchange = this.inflight.first) this.end(exchange, this.interrupted);
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    for (const gate of this.gates) gate.close();
    this.interruptInflight();
    this.releaseIdleWaiters();
    await Promise.all(this.transports.map((transport) => transport.destroy().catch(() => undefined)));
  }
}

/** The transports of a sender, and the way to each endpoint's. */
interface Routes {
  transports: Transport[];
  transportOf: Transport[];
  requestOf: number[];
}

/**
 * One transport per origin, on the client `options.client` asks for (loaded first, when it is
 * undici): a mix's endpoints at one origin share its keep-alive connections (--connections of
 * them), each endpoint's request built once in it. Without a mix: the one request, endpoint 0.
 */
async function openRoutes(target: TargetSpec, options: SenderOptions): Promise<Routes> {
  const kind = options.client ?? 'lean';
  if (target.endpoints === undefined) {
    const transport = await openTransport(kind, target, options);
    return { transports: [transport], transportOf: [transport], requestOf: [0] };
  }
  const byOrigin = new Map<string, EndpointSpec[]>();
  const originOf: string[] = [];
  const requestOf: number[] = [];
  for (const endpoint of target.endpoints) {
    const origin = new URL(endpoint.url).origin;
    const sharing = byOrigin.get(origin) ?? [];
    byOrigin.set(origin, sharing);
    originOf.push(origin);
    requestOf.push(sharing.length);
    sharing.push(endpoint);
  }
  const origins = [...byOrigin.keys()];
  const transports = await Promise.all(
    origins.map((origin) => {
      const endpoints = byOrigin.get(origin)!;
      return openTransport(kind, { ...target, url: endpoints[0]!.url, endpoints }, options);
    }),
  );
  const transportOf = originOf.map((origin) => transports[origins.indexOf(origin)]!);
  return { transports, transportOf, requestOf };
}
