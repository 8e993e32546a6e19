/**
 * One request in flight, the handler its client calls back, and the list of those in flight.
 * Exchanges are reused: a run at 60,000 req/s would otherwise make 60,000 of them a second for
 * the garbage collector. The list is intrusive (each exchange links its neighbours), so adding and
 * removing allocates nothing either.
 */
import { classifyError, errorKey, RequestAbort } from './error-class.js';
import type { ConnectGate } from './connect-gate.js';
import type { ExchangeHandler } from './transport.js';
import type { ErrorClass } from '../measure/snapshot.js';

/** What an exchange needs of the sender that owns it. */
export interface ExchangeOwner {
  readonly clock: () => number;
  readonly maxBodyBytes: number;
  /** by endpoint: the connect gate of its origin */
  readonly gateOf: readonly ConnectGate<Exchange>[];
  cutOff(exchange: Exchange): void;
  settleResponse(exchange: Exchange): void;
  settleFailure(exchange: Exchange, errorClass: ErrorClass, key: string | null): void;
  /** the client will call this exchange no more: it may carry another request */
  recycle(exchange: Exchange): void;
}

/** One error for every request whose deadline passed while it waited (a stalled target queues thousands). */
const LATE_FOR_ITS_CONNECTION = new RequestAbort('timeout', 'deadline passed before a connection was free');

export class Exchange implements ExchangeHandler {
  dueMs = 0;
  /** the step of the run its due time falls in, where its outcome is counted */
  step = 0;
  /** the endpoint of a mix it goes to (0 without a mix), and its index among its transport's requests */
  endpoint = 0;
  request = 0;
  handedMs = 0;
  /** true while the sender hands it to the pool: a connection that takes it now writes it at handedMs */
  handing = false;
  onDone: (() => void) | null = null;
  /** false for warm-up requests: sent and ended, never recorded */
  measured = true;
  sentMs = -1;
  status = 0;
  bodyBytes = 0;
  /** counted: by a response, a failure, the deadline sweep or an interrupt */
  settled = false;
  abort: ((error?: Error) => void) | null = null;
  // neighbours in the in-flight list (its fixed point beside the oldest and the newest); null out of it
  previous: Exchange | null = null;
  next: Exchange | null = null;

  constructor(private readonly owner: ExchangeOwner) {}

  /** Readies the exchange for a new request. */
  start(
    dueMs: number,
    step: number,
    handedMs: number,
    onDone: (() => void) | null,
    measured: boolean,
    endpoint: number,
    request: number,
  ): void {
    this.dueMs = dueMs;
    this.step = step;
    this.endpoint = endpoint;
    this.request = request;
    this.handedMs = handedMs;
    this.onDone = onDone;
    this.measured = measured;
    this.sentMs = -1;
    this.status = 0;
    this.bodyBytes = 0;
    this.settled = false;
    this.abort = null;
  }

  onConnect(abort: (error?: Error) => void): void {
    // Already settled by the deadline sweep while it waited for a connection: do not send it.
    if (this.settled) {
      abort(LATE_FOR_ITS_CONNECTION);
      return;
    }
    this.abort = abort;
    this.sentMs = this.handing ? this.handedMs : this.owner.clock();
    this.owner.gateOf[this.endpoint]!.connected();
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: { length: number }): boolean {
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.owner.maxBodyBytes) this.owner.cutOff(this);
    return true;
  }

  // onComplete and onError are a client's last calls: the exchange is free once they return.

  onComplete(): void {
    this.owner.settleResponse(this);
    this.owner.recycle(this);
  }

  onError(error: Error): void {
    const errorClass = classifyError(error);
    const key = errorKey(error);
    // a request that never reached a socket failed with its connection attempt
    if (this.sentMs < 0 && !this.settled) this.owner.gateOf[this.endpoint]!.attemptFailed(this, errorClass, key);
    this.owner.settleFailure(this, errorClass, key);
    this.owner.recycle(this);
  }
}

/**
 * The exchanges in flight, in hand-over order (which is also deadline order): a ring through one
 * exchange that is never handed out, so that adding and removing take no branch. With `first` and
 * `last` ends that may be null, removing the only exchange, or adding to an empty list, was a
 * path the hot code met rarely; V8 compiled it without type feedback, and the first time it came
 * in a run (the list emptied for a moment) it sent the sender's compiled send and settle back.
 */
export class InflightList {
  /** the ring's fixed point: its `next` is the oldest exchange in flight, its `previous` the newest; itself when none */
  private readonly end: Exchange;
  size = 0;

  constructor(owner: ExchangeOwner) {
    this.end = new Exchange(owner);
    this.end.next = this.end;
    this.end.previous = this.end;
  }

  /** The oldest exchange in flight; null when none is. */
  get first(): Exchange | null {
    const oldest = this.end.next!;
    return oldest === this.end ? null : oldest;
  }

  add(exchange: Exchange): void {
    const newest = this.end.previous!;
    exchange.previous = newest;
    exchange.next = this.end;
    newest.next = exchange;
    this.end.previous = exchange;
    this.size++;
  }

  /** `exchange` must be in the list. */
  remove(exchange: Exchange): void {
    exchange.previous!.next = exchange.next;
    exchange.next!.previous = exchange.previous;
    exchange.previous = null;
    exchange.next = null;
    this.size--;
  }
}
