/** undici's keep-alive Pool behind the sender's transport: the cross-check of the lean client. */
import net from 'node:net';
import tls from 'node:tls';
import { buildConnector, Pool, type Dispatcher } from 'undici';
import { timeConnection } from './connection-setup.js';
import type { ExchangeHandler, Transport, TransportOptions } from './transport.js';

/**
 * undici's own connector with the target's TLS options, each socket it opens timed like the lean
 * client's (connection-setup.ts). Its connector returns the socket it opens, though its types say
 * nothing of it; the tests of connection set-up under undici would see if that changed.
 */
function timedConnector(url: URL, options: TransportOptions & { tls?: tls.ConnectionOptions }): buildConnector.connector {
  const connect = buildConnector({ ...options.tls, checkServerIdentity: nameCheck, timeout: options.timeoutMs });
  const secure = url.protocol === 'https:';
  return (connectOptions, callback) => {
    const socket: unknown = connect(connectOptions, callback);
    if (socket instanceof net.Socket) timeConnection(socket, secure, options.recorder);
    return socket;
  };
}

/**
 * Node's own check of the certificate's names, its error wrapped (the code on the cause, where
 * error-class.ts finds it). undici handles an error coded ERR_TLS_CERT_ALTNAME_INVALID apart: it
 * fails the requests waiting for the connection but then counts them as still running, and the
 * requests dispatched after that waited until their deadline (measured: 8 of 100 ended as timeouts).
 */
function nameCheck(hostname: string, cert: tls.PeerCertificate): Error | undefined {
  const refused = tls.checkServerIdentity(hostname, cert);
  return refused === undefined ? undefined : new Error(refused.message, { cause: refused });
}

export function undiciTransport(
  url: URL,
  requests: ReadonlyArray<{ path: string; method: string; headers: Record<string, string>; body: Buffer | null }>,
  options: TransportOptions & { tls?: tls.ConnectionOptions },
): Transport {
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    // undici's own idle timers as a second line; the sender's sweep enforces the total deadline
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: timedConnector(url, options),
    keepAliveTimeout: 30_000,
  });
  // `servername` is undici's request option (its types leave it out): the name sent as SNI, which
  // it would otherwise take from the URL's host
  const dispatchOptions = requests.map((request) => ({
    origin: url.origin,
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body,
    // a load test must not retry behind the user's back
    idempotent: false,
    blocking: false,
    ...(options.tls?.servername === undefined ? {} : { servername: options.tls.servername }),
  })) as Dispatcher.DispatchOptions[];
  // The handler is undici's low-level (legacy) interface on purpose: that path hands over raw
  // header buffers instead of parsing every response's headers into an object.
  return {
    dispatch: (handler: ExchangeHandler) => pool.dispatch(dispatchOptions[handler.request]!, handler as Dispatcher.DispatchHandler),
    // undici opens its connections as requests need them
    openAll: () => undefined,
    destroy: () => pool.destroy(),
  };
}
