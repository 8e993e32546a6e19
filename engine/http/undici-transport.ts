/** undici's keep-alive Pool behind the sender's transport: the cross-check of the lean client. */
import { Pool, type Dispatcher } from 'undici';
import type { ExchangeHandler, Transport, TransportOptions } from './transport.js';

export function undiciTransport(
  url: URL,
  request: { path: string; method: string; headers: Record<string, string>; body: Buffer | null },
  options: TransportOptions,
): Transport {
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
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body,
    // a load test must not retry behind the user's back
    idempotent: false,
    blocking: false,
  };
  // The handler is undici's low-level (legacy) interface on purpose: that path hands over raw
  // header buffers instead of parsing every response's headers into an object.
  return {
    dispatch: (handler: ExchangeHandler) => pool.dispatch(dispatchOptions, handler as Dispatcher.DispatchHandler),
    // undici opens its connections as requests need them
    openAll: () => undefined,
    destroy: () => pool.destroy(),
  };
}
