/**
 * The way of one request through the target server's fault knobs, in order: capacity admission
 * (wait for a token, or 503 when the queue is full) -> fixed latency -> close-rate (drop the
 * connection) -> fail-rate (500) -> the endpoint. Every stage after the first may be
 * asynchronous, so every request attaches onAborted at once (uWS requires it) and every later
 * write is corked (`responder.ts`).
 *
 * The pipeline also counts the requests in flight, because shutting down (`server.ts`) waits
 * for that count to reach zero.
 */

import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { CapacityGate, defaultBurst } from './capacity-gate.js';
import { CapacityWaiter } from './capacity-waiter.js';
import type { ResolvedTargetOptions } from './options.js';
import { writeAnswer } from './responder.js';
import { route, type Answer } from './routes.js';

/** The knobs that act on each request. */
export type RequestKnobs = Pick<ResolvedTargetOptions, 'capacity' | 'queue' | 'latencyMs' | 'closeRate' | 'failRate'>;

const SERVER_ERROR: Answer = { kind: 'text', status: 500, body: 'injected failure (--fail-rate)\n' };
const OVER_CAPACITY: Answer = { kind: 'text', status: 503, body: 'over capacity: queue full (--capacity/--queue)\n' };
const SHUTTING_DOWN: Answer = { kind: 'text', status: 503, body: 'shutting down\n' };
const ignore = (): void => {};

/** One request on its way; `open` until answered, dropped or aborted. */
interface Exchange {
  res: HttpResponse;
  path: string;
  head: boolean;
  open: boolean;
  /** withdraws whatever the request is waiting on (queue slot, timer) */
  withdraw: () => void;
}

export class RequestPipeline {
  private readonly random = Math.random;
  /** absent without `--capacity`: every request is admitted at once */
  private readonly waiter: CapacityWaiter | undefined;
  private inFlightCount = 0;
  private closing = false;
  private drained: (() => void) | undefined;

  /** `native`: whether the native uWS API is there (see `WriteContext`). */
  constructor(
    private readonly knobs: RequestKnobs,
    private readonly native: boolean,
  ) {
    // The gate's clock starts now, with a full bucket.
    this.waiter =
      knobs.capacity === undefined
        ? undefined
        : new CapacityWaiter(
            new CapacityGate(
              { ratePerSecond: knobs.capacity, burst: defaultBurst(knobs.capacity), queueLimit: knobs.queue! },
              performance.now(),
            ),
          );
  }

  /** Requests taken in and not yet answered, dropped or aborted. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The uWS handler for every request; an arrow, so uWS can call it unbound. */
  readonly onRequest = (res: HttpResponse, req: HttpRequest): void => {
    // req lives only during this call: read what is needed now. The fallback's getUrl keeps
    // the query string and its getMethod is upper case; route() and toLowerCase cope.
    const exchange: Exchange = {
      res,
      path: req.getUrl(),
      head: req.getMethod().toLowerCase() === 'head',
      open: true,
      withdraw: ignore,
    };
    this.inFlightCount += 1;
    res.onAborted(() => {
      exchange.withdraw();
      this.settle(exchange);
    });
    // A body (the load tool may POST) is read and dropped; uWS keeps feeding it even when
    // the answer went out first, so the connection stays usable.
    res.onData(ignore);
    if (this.closing) this.respond(exchange, SHUTTING_DOWN);
    else this.admit(exchange);
  };

  /** From now on new requests get 503, and every answer asks the client to close the connection. */
  beginClosing(): void {
    this.closing = true;
  }

  /** Resolves once no request is in flight any more (call after `beginClosing`), or after `timeoutMs`. */
  whenDrained(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(deadline);
        resolve();
      };
    });
  }

  /** Ends a wait of `whenDrained` now, whatever is still in flight. */
  endDrain(): void {
    this.drained?.();
  }

  /** Stops the capacity timer; requests still queued are left to the closing connections. */
  stop(): void {
    this.waiter?.stop();
  }

  /** Capacity admission: on at once, parked until a token is due, or 503 when the queue is full. */
  private admit(exchange: Exchange): void {
    if (this.waiter === undefined) {
      this.admitted(exchange);
      return;
    }
    let waiting = true;
    const withdraw = this.waiter.admit(
      () => {
        waiting = false;
        this.admitted(exchange);
      },
      () => {
        waiting = false;
        this.respond(exchange, OVER_CAPACITY);
      },
    );
    // Admitted at once, the request may already wait on a latency timer: keep that withdraw.
    if (waiting) exchange.withdraw = withdraw;
  }

  /** The fixed latency, then the rest. */
  private admitted(exchange: Exchange): void {
    if (!exchange.open) return;
    if (this.knobs.latencyMs > 0) this.after(exchange, this.knobs.latencyMs, () => this.serve(exchange));
    else this.serve(exchange);
  }

  /** Close-rate, fail-rate, then the endpoint. */
  private serve(exchange: Exchange): void {
    if (!exchange.open) return;
    const { closeRate, failRate } = this.knobs;
    if (closeRate > 0 && this.random() < closeRate) {
      this.settle(exchange); // first, so the onAborted that close() fires finds it settled
      exchange.res.close();
      return;
    }
    if (failRate > 0 && this.random() < failRate) {
      this.respond(exchange, SERVER_ERROR);
      return;
    }
    const answer = route(exchange.path, this.random);
    if (answer.kind !== 'delay') this.respond(exchange, answer);
    else this.after(exchange, answer.ms, () => this.respond(exchange, { kind: 'text', status: 200, body: `delayed ${answer.ms} ms\n` }));
  }

  /** Runs `then` after `ms`; the exchange can withdraw the timer if its client leaves. */
  private after(exchange: Exchange, ms: number, then: () => void): void {
    const timer = setTimeout(then, ms);
    exchange.withdraw = () => clearTimeout(timer);
  }

  private respond(exchange: Exchange, answer: Answer): void {
    if (!exchange.open) return;
    const { res, head } = exchange;
    res.cork(() => writeAnswer(res, answer, { head, native: this.native, closeConnection: this.closing }, () => this.settle(exchange)));
  }

  /** The request is over, one way or another; counted once however many ways it ends. */
  private settle(exchange: Exchange): void {
    if (!exchange.open) return;
    exchange.open = false;
    this.inFlightCount -= 1;
    if (this.closing && this.inFlightCount === 0) this.drained?.();
  }
}
