/**
 * The bundled target server: uWebSockets.js with the endpoints of `routes.ts` and the fault
 * knobs of `options.ts`. Used by `bin/target-server`, by `stress` when no URL is given (in a
 * worker thread of its own, on 127.0.0.1 port 0: engine/bundled-target.ts), and by the tests.
 *
 * Each request goes through, in order: capacity admission (wait for a token, or 503 when the
 * queue is full) -> fixed latency -> close-rate (drop the connection) -> fail-rate (500) ->
 * the endpoint. Every stage after the first may be asynchronous, so every request attaches
 * onAborted at once (uWS requires it) and every later write is corked (`responder.ts`).
 */

import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { CapacityGate, defaultBurst } from './capacity-gate.js';
import { CapacityWaiter } from './capacity-waiter.js';
import { resolveTargetOptions, type TargetServerOptions } from './options.js';
import { schedulePauses } from './pauses.js';
import { writeAnswer } from './responder.js';
import { route, type Answer } from './routes.js';
import { loadUws, type UwsEngine } from './uws-loader.js';

export type { TargetServerOptions } from './options.js';
export { TargetOptionsError } from './options.js';

export interface TargetServer {
  /** base URL without a trailing slash, e.g. `http://127.0.0.1:8000` */
  url: string;
  /** the port actually listened on (the chosen one when 0 was asked) */
  port: number;
  host: string;
  /** which uWebSockets.js came up; `fallback` is a slow node:http imitation */
  engine: UwsEngine;
  /**
   * Stops listening, lets in-flight responses finish (new requests on open connections get
   * 503 and `Connection: close`), and after `drainTimeoutMs` at the latest drops every
   * connection. Resolves when done; calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The error a listen failure is reported with (port taken, address not local...). */
export class ListenError extends Error {
  readonly code = 'STRESS_ERR_TARGET_LISTEN';
}

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

/** Starts the server; rejects with `TargetOptionsError` (every problem) or `ListenError`. */
export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const config = resolveTargetOptions(options);
  const { uws, engine } = loadUws();
  const native = engine === 'native';
  const random = Math.random;

  const waiter = config.capacity === undefined
    ? undefined
    : new CapacityWaiter(new CapacityGate({ ratePerSecond: config.capacity, burst: defaultBurst(config.capacity), queueLimit: config.queue! }, performance.now()));

  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const settle = (exchange: Exchange): void => {
    if (!exchange.open) return;
    exchange.open = false;
    inFlight -= 1;
    if (closing && inFlight === 0) drained?.();
  };

  const respond = (exchange: Exchange, answer: Answer): void => {
    if (!exchange.open) return;
    const { res, head } = exchange;
    res.cork(() => writeAnswer(res, answer, { head, native, closeConnection: closing }, () => settle(exchange)));
  };

  /** Runs `then` after `ms`; the exchange can withdraw the timer if its client leaves. */
  const after = (exchange: Exchange, ms: number, then: () => void): void => {
    const timer = setTimeout(then, ms);
    exchange.withdraw = () => clearTimeout(timer);
  };

  const serve = (exchange: Exchange): void => {
    if (!exchange.open) return;
    if (config.closeRate > 0 && random() < config.closeRate) {
      settle(exchange); // first, so the onAborted that close() fires finds it settled
      exchange.res.close();
      return;
    }
    if (config.failRate > 0 && random() < config.failRate) return respond(exchange, SERVER_ERROR);
    const answer = route(exchange.path, random);
    if (answer.kind !== 'delay') return respond(exchange, answer);
    after(exchange, answer.ms, () => respond(exchange, { kind: 'text', status: 200, body: `delayed ${answer.ms} ms\n` }));
  };

  const admitted = (exchange: Exchange): void => {
    if (!exchange.open) return;
    if (config.latencyMs > 0) after(exchange, config.latencyMs, () => serve(exchange));
    else serve(exchange);
  };

  const onRequest = (res: HttpResponse, req: HttpRequest): void => {
    // req lives only during this call: read what is needed now. The fallback's getUrl keeps
    // the query string and its getMethod is upper case; route() and toLowerCase cope.
    const exchange: Exchange = {
      res,
      path: req.getUrl(),
      head: req.getMethod().toLowerCase() === 'head',
      open: true,
      withdraw: ignore,
    };
    inFlight += 1;
    res.onAborted(() => {
      exchange.withdraw();
      settle(exchange);
    });
    // A body (the load tool may POST) is read and dropped; uWS keeps feeding it even when
    // the answer went out first, so the connection stays usable.
    res.onData(ignore);
    if (closing) return respond(exchange, SHUTTING_DOWN);
    if (waiter === undefined) return admitted(exchange);
    let waiting = true;
    const withdraw = waiter.admit(
      () => {
        waiting = false;
        admitted(exchange);
      },
      () => {
        waiting = false;
        respond(exchange, OVER_CAPACITY);
      },
    );
    // Admitted at once, the request may already wait on a latency timer: keep that withdraw.
    if (waiting) exchange.withdraw = withdraw;
  };

  const app: TemplatedApp = uws.App().any('/*', onRequest);
  const listenSocket = await listen(app, config.host, config.port);
  const port = uws.us_socket_local_port(listenSocket as never);
  const stopPauses = config.pauseEveryMs !== undefined && config.pauseForMs !== undefined
    ? schedulePauses(config.pauseEveryMs, config.pauseForMs)
    : () => {};

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      stopPauses();
      uws.us_listen_socket_close(listenSocket);
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(resolve, config.drainTimeoutMs);
          drained = () => {
            clearTimeout(deadline);
            resolve();
          };
        });
      }
      waiter?.stop();
      // Idle keep-alive connections would hold the process for uWS's idle timeout; the
      // native App can drop them all (the fallback has no such call).
      (app as unknown as { close?: () => void }).close?.();
    })();
    return closed;
  };

  return { url: `http://${formatHost(config.host)}:${port}`, port, host: config.host, engine, close };
}

/**
 * Listens exclusively: uWS otherwise sets SO_REUSEPORT, and a second server on a port in use
 * would silently share it instead of failing.
 */
function listen(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  // LIBUS_LISTEN_EXCLUSIVE_PORT (1) is exported only by the native module, and the typings
  // lack the (host, port, options, cb) form that both implementations accept.
  const exclusive = 1;
  const listenWithOptions = app.listen as unknown as (
    host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void,
  ) => TemplatedApp;
  return new Promise((resolve, reject) => {
    listenWithOptions.call(app, host, port, exclusive, (socket) => {
      if (socket) resolve(socket);
      else reject(new ListenError(`cannot listen on ${formatHost(host)}:${port}: the port is taken or the address is not local (try another --port, or --port 0)`));
    });
  });
}

/** IPv6 addresses go in brackets in a URL. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
