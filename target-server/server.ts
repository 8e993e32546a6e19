/**
 * The bundled target server: uWebSockets.js with the endpoints of `routes.ts` and the fault
 * knobs of `options.ts`. Used by `bin/target-server`, by `stress` when no URL is given (in a
 * worker thread of its own, on 127.0.0.1 port 0: engine/bundled-target.ts), and by the tests.
 *
 * This file is the server's lifecycle: listen, the whole-server pauses, and a draining close.
 * What happens to each request is `request-pipeline.ts`.
 */

import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { resolveTargetOptions, type TargetServerOptions } from './options.js';
import { schedulePauses } from './pauses.js';
import { RequestPipeline } from './request-pipeline.js';
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
   * `drainMs` overrides `drainTimeoutMs`: 0 drops every connection at once, and cuts short a
   * drain already under way.
   */
  close(drainMs?: number): Promise<void>;
}

/** The error a listen failure is reported with (port taken, address not local...). */
export class ListenError extends Error {
  readonly code = 'STRESS_ERR_TARGET_LISTEN';
}

/** Starts the server; rejects with `TargetOptionsError` (every problem) or `ListenError`. */
export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const config = resolveTargetOptions(options);
  const { uws, engine } = loadUws();
  const pipeline = new RequestPipeline(config, engine === 'native');

  const app: TemplatedApp = uws.App().any('/*', pipeline.onRequest);
  const listenSocket = await listen(app, config.host, config.port);
  const port = uws.us_socket_local_port(listenSocket as never);
  const stopPauses =
    config.pauseEveryMs !== undefined && config.pauseForMs !== undefined
      ? schedulePauses(config.pauseEveryMs, config.pauseForMs)
      : () => {};

  let closed: Promise<void> | undefined;
  const close = (drainMs = config.drainTimeoutMs): Promise<void> => {
    closed ??= (async () => {
      pipeline.beginClosing();
      stopPauses();
      uws.us_listen_socket_close(listenSocket);
      if (pipeline.inFlight > 0) await pipeline.whenDrained(drainMs);
      pipeline.stop();
      // Idle keep-alive connections would hold the process for uWS's idle timeout; the
      // native App can drop them all (the fallback has no such call).
      (app as unknown as { close?: () => void }).close?.();
    })();
    if (drainMs === 0) pipeline.endDrain();
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
    host: string,
    port: number,
    options: number,
    cb: (socket: us_listen_socket | false) => void,
  ) => TemplatedApp;
  return new Promise((resolve, reject) => {
    listenWithOptions.call(app, host, port, exclusive, (socket) => {
      if (socket) resolve(socket);
      else
        reject(
          new ListenError(
            `cannot listen on ${formatHost(host)}:${port}: the port is taken or the address is not local (try another --port, or --port 0)`,
          ),
        );
    });
  });
}

/** IPv6 addresses go in brackets in a URL. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
